import type { DomainError } from '../errors.ts';
import { errorMessage, t } from '../i18n/index.ts';
import type { Lang } from '../model.ts';
import type { ErrorView, Failure, HelpView } from './types.ts';

export function helpView(lang: Lang, k = 3): HelpView {
  return {
    kind: 'help',
    key: 'help',
    lang,
    title: t(lang, 'help.title'),
    intro: t(lang, 'help.intro'),
    commands: [
      t(lang, 'help.start'),
      t(lang, 'help.status'),
      t(lang, 'help.stop'),
      t(lang, 'help.delete'),
      t(lang, 'help.help'),
    ],
    anonymity: t(lang, 'help.anonymity', { k }),
  };
}

/**
 * A refusal or failure as a polite message: `unexpected` for bugs,
 * `unavailable` when the store cannot be reached (nothing was saved).
 */
export function errorView(lang: Lang, error: DomainError | Failure): ErrorView {
  const code = typeof error === 'string' ? error : error.code;
  const message = typeof error === 'string' ? t(lang, `error.${error}`) : errorMessage(lang, error);
  return {
    kind: 'error',
    key: `error:${code}`,
    lang,
    title: t(lang, 'error.title'),
    code,
    message,
  };
}

/** The welcome card on install: one line about the tool and a Start button. */
export function welcomeView(lang: Lang, k = 3): HelpView {
  return {
    ...helpView(lang, k),
    key: 'welcome',
    title: t(lang, 'welcome.title'),
    intro: t(lang, 'welcome.intro'),
    actions: [{ title: t(lang, 'welcome.start'), command: 'start' }],
  };
}

/**
 * For the starter of a round in a shared conversation (Teams cannot show a
 * message to one person there): a button that answers with the facilitator's
 * controls for the facilitator only. `sentPrivately`: the controls were also
 * sent to the facilitator in a private chat (the button stays as a fallback).
 */
export function facilitatorHintView(lang: Lang, k = 3, sentPrivately = false): HelpView {
  return {
    kind: 'help',
    key: 'facilitator-hint',
    lang,
    title: t(lang, 'teams.facilitator.title'),
    intro: t(lang, sentPrivately ? 'teams.facilitator.introPrivate' : 'teams.facilitator.intro'),
    commands: [],
    anonymity: t(lang, 'help.anonymity', { k }),
    actions: [{ title: t(lang, 'teams.facilitator.open'), command: 'facilitator' }],
  };
}
