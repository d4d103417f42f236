/**
 * Text people may type that every channel must show as typed (issue 8, item 10).
 */

/** The issue's string: a Slack broadcast, a Slack link, a Markdown link, a Teams mention. */
export const ISSUE = '<!channel> <http://x|ok> [x](javascript:) <at>Boss</at>';

/** More markup for the longer fields: HTML, Markdown, an entity, template syntax, a list, a heading. */
export const MORE = `${ISSUE} <b>fed</b> <script>x()</script> **fed** _skrå_ ~x~ \`kode\` &amp; \${title} {{x}}\n- punkt\n1. liste\n# Overskrift`;
