/**
 * manifest/slack.yaml agrees with the code: every request URL is the one
 * path Bolt serves, the slash command and event are the ones handled, and
 * the bot asks for no scope it does not use. (No YAML parser in the project:
 * the checks read the few lines they need.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../src/channels/slack/index.ts';

const manifest = readFileSync(new URL('../../manifest/slack.yaml', import.meta.url), 'utf8');
const values = (key: string) =>
  [...manifest.matchAll(new RegExp(`^\\s*-?\\s*${key}:\\s*(.+)$`, 'gm'))].map((m) => m[1]?.trim());

/** The items of the YAML list under `key:` (one `- item` per line, comments skipped). */
function list(key: string): string[] {
  const lines = manifest.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith('#')) continue;
    const item = /^\s*- (\S+)$/.exec(line);
    if (!item) break;
    items.push(item[1] ?? '');
  }
  return items;
}

describe('manifest/slack.yaml', () => {
  it('is plain YAML with spaces only', () => {
    expect(manifest).not.toContain('\t');
    expect(manifest).toMatch(/^_metadata:\n {2}major_version: 1$/m);
  });

  it('points the slash command, interactivity and events at POST /slack/events', () => {
    const urls = [...values('url'), ...values('request_url')];
    expect(urls).toHaveLength(3);
    for (const url of urls) expect(url).toMatch(new RegExp(`^https://[^/]+${SLACK_EVENTS_PATH}$`));
    expect(values('command')).toEqual(['/dialogrunde']);
  });

  it('subscribes to app_mention and asks only for the scopes the bot uses', () => {
    expect(list('bot_events')).toEqual(['app_mention']);
    expect(list('bot').sort()).toEqual(['app_mentions:read', 'chat:write', 'commands']);
    expect(values('socket_mode_enabled')).toEqual(['false']);
    expect(values('is_enabled')).toEqual(['true']);
  });
});
