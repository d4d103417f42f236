/**
 * manifest/slack.yaml (HTTP) and manifest/slack-socket.yaml (Socket Mode)
 * agree with the code: every request URL is the one path Bolt serves, the
 * OAuth redirect URL is ours, the slash command and events are the ones
 * handled, and the bot asks for exactly the scopes the OAuth install link
 * asks for (`SLACK_BOT_SCOPES`). (No YAML parser in the project: the checks
 * read the few lines they need.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../src/channels/slack/index.ts';
import {
  SLACK_BOT_EVENTS,
  SLACK_BOT_SCOPES,
  SLACK_OAUTH_REDIRECT_PATH,
} from '../../src/channels/slack/oauth.ts';

const read = (name: string) =>
  readFileSync(new URL(`../../manifest/${name}`, import.meta.url), 'utf8');

/** Every `key: value` (also as a list item `- key: value`). */
const values = (manifest: string, key: string) =>
  [...manifest.matchAll(new RegExp(`^\\s*-?\\s*${key}:\\s*(.+)$`, 'gm'))].map((m) => m[1]?.trim());

/** The items of the YAML list under `key:` (one `- item` per line, comments skipped). */
function list(manifest: string, key: string): string[] {
  const lines = manifest.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  if (start < 0) return [];
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith('#')) continue;
    const item = /^\s*- (\S+)$/.exec(line);
    if (!item) break;
    items.push(item[1] ?? '');
  }
  return items;
}

/** Listeners registered in the channel's source: `app.event('<name>'`. */
const slackSource = readdirSync(new URL('../../src/channels/slack/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(new URL(`../../src/channels/slack/${f}`, import.meta.url), 'utf8'))
  .join('\n');

describe.each([
  ['slack.yaml', 'http'],
  ['slack-socket.yaml', 'socket'],
] as const)('manifest/%s', (file, mode) => {
  const manifest = read(file);

  it('is plain YAML with spaces only', () => {
    expect(manifest).not.toContain('\t');
    expect(manifest).toMatch(/^_metadata:\n {2}major_version: 1$/m);
  });

  it('asks for exactly the scopes the code uses and the install link asks for', () => {
    expect(list(manifest, 'bot').sort()).toEqual([...SLACK_BOT_SCOPES].sort());
  });

  it('subscribes to the events the app listens to; App Home tab on, interactivity on', () => {
    expect(list(manifest, 'bot_events').sort()).toEqual([...SLACK_BOT_EVENTS].sort());
    for (const event of SLACK_BOT_EVENTS) expect(slackSource).toContain(`app.event('${event}'`);
    expect(values(manifest, 'home_tab_enabled')).toEqual(['true']);
    expect(values(manifest, 'messages_tab_enabled')).toEqual(['true']);
    expect(values(manifest, 'is_enabled')).toEqual(['true']);
    expect(values(manifest, 'command')).toEqual(['/dialogrunde']);
    expect(values(manifest, 'token_rotation_enabled')).toEqual(['false']);
  });

  if (mode === 'http') {
    it('points the slash command, interactivity and events at POST /slack/events, OAuth back to us', () => {
      const urls = [...values(manifest, 'url'), ...values(manifest, 'request_url')];
      expect(urls).toHaveLength(3);
      for (const url of urls) {
        expect(url).toMatch(new RegExp(`^https://[^/]+${SLACK_EVENTS_PATH}$`));
      }
      expect(list(manifest, 'redirect_urls')).toEqual([
        `https://dialogrunde.example.dk${SLACK_OAUTH_REDIRECT_PATH}`,
      ]);
      expect(values(manifest, 'socket_mode_enabled')).toEqual(['false']);
    });
  } else {
    it('has Socket Mode on and no request URLs (nothing needs to reach us)', () => {
      expect(values(manifest, 'socket_mode_enabled')).toEqual(['true']);
      expect(values(manifest, 'url')).toEqual([]);
      expect(values(manifest, 'request_url')).toEqual([]);
      expect(list(manifest, 'redirect_urls')).toEqual([]);
    });
  }
});
