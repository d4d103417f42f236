import type { Lang, Mode } from '../../../core/model.ts';

/**
 * Words only the exports use. Everything the bot also says elsewhere comes
 * from the shared catalogue (`core/i18n`); these stay here so the exports do
 * not grow the catalogue other channels must translate.
 */
export interface ExportLabels {
  minutesTitle: string;
  date: string;
  deck: string;
  mode: string;
  modes: Record<Mode, string>;
  scope: string;
  participants: string;
  anonymity: string;
  exported: string;
  ownInitiatives: string;
  ownNone: string;
  status: string;
  /** Why an initiative shows no result. `{k}` is the threshold. */
  result: { withheld: string; open: string; not_rated: string };
}

export const LABELS: Record<Lang, ExportLabels> = {
  da: {
    minutesTitle: 'Referat af dialogrunde {date}',
    date: 'Dato',
    deck: 'Dialogværktøj',
    mode: 'Form',
    modes: { sync: 'Møde, mødelederen styrer', async: 'Over tid, trin med frister' },
    scope: 'Omfang',
    participants: 'Deltagere',
    anonymity: 'Anonymitet',
    exported: 'Udskrevet',
    ownInitiatives: 'Egne initiativer',
    ownNone: 'Ingen egne initiativer.',
    status: 'Status',
    result: {
      withheld: 'Vises ikke: færre end {k} har vurderet det',
      open: 'Afstemningen er ikke lukket',
      not_rated: 'Ikke vurderet',
    },
  },
  en: {
    minutesTitle: 'Minutes of the dialogue round, {date}',
    date: 'Date',
    deck: 'Dialogue tool',
    mode: 'Format',
    modes: { sync: 'Meeting led by the facilitator', async: 'Over time, steps with deadlines' },
    scope: 'Scope',
    participants: 'Participants',
    anonymity: 'Anonymity',
    exported: 'Exported',
    ownInitiatives: 'Own initiatives',
    ownNone: 'No own initiatives.',
    status: 'Status',
    result: {
      withheld: 'Not shown: fewer than {k} rated it',
      open: 'Voting has not closed',
      not_rated: 'Not rated',
    },
  },
};

/** Fills `{name}` placeholders. */
export function fillLabel(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole));
}
