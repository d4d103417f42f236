import { t } from '../i18n/index.ts';
import type { Lang } from '../model.ts';
import type { DeleteRoundView } from './types.ts';

/**
 * The facilitator's "delete this round?" and its outcome. Deleting cannot be
 * undone, so every channel asks first and deletes only on the second,
 * explicit press (`deleteRound`); `keepRound` leaves everything as it was.
 */
export function deleteRoundView(
  lang: Lang,
  roundId: string,
  phase: DeleteRoundView['phase'],
): DeleteRoundView {
  const texts = {
    confirm: ['delete.confirmTitle', 'delete.confirmText'],
    deleted: ['delete.deletedTitle', 'delete.deletedText'],
    kept: ['delete.keptTitle', 'delete.keptText'],
  } as const;
  const [title, text] = texts[phase];
  return {
    kind: 'deleteRound',
    key: `${roundId}:delete`,
    lang,
    roundId,
    title: t(lang, title),
    phase,
    text: t(lang, text),
    actions:
      phase === 'confirm'
        ? [
            {
              command: 'deleteRound',
              label: t(lang, 'delete.confirm'),
              value: roundId,
              style: 'danger',
            },
            { command: 'keepRound', label: t(lang, 'delete.keep'), value: roundId },
          ]
        : [],
  };
}
