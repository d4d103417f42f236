/**
 * Checks that the adaptivecards library's parser kept every property of a
 * card: used by the template tests and by the Teams card-extras tests.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Properties the serialiser leaves out because they hold the default value; writing them
 * is valid (the templates compute them, e.g. an action's style from the view model).
 */
const DEFAULTS: Record<string, string[]> = {
  style: ['default'],
  spacing: ['default'],
};

/** What the library's parser lost or changed between our JSON and its own serialisation. */
export function roundTripLosses(
  source: Json,
  output: Json | undefined,
  path: string,
  out: string[],
): void {
  if (Array.isArray(source)) {
    if (!Array.isArray(output) || output.length !== source.length) {
      out.push(`${path}: ${source.length} items became ${JSON.stringify(output)?.slice(0, 80)}`);
      return;
    }
    source.forEach((item, i) => {
      roundTripLosses(item, output[i], `${path}[${i}]`, out);
    });
    return;
  }
  if (isObject(source)) {
    if (!isObject(output)) {
      out.push(`${path}: object became ${JSON.stringify(output)}`);
      return;
    }
    for (const [key, value] of Object.entries(source)) {
      // An action's fallback is only parsed when its type is unknown: checked separately.
      if (key === 'fallback' && source.type === 'Action.Execute') continue;
      if (key in output) roundTripLosses(value, output[key], `${path}.${key}`, out);
      else if (!(typeof value === 'string' && DEFAULTS[key]?.includes(value.toLowerCase())))
        out.push(`${path}.${key} = ${JSON.stringify(value)} is unknown or invalid (dropped)`);
    }
    return;
  }
  // Enum values come back in the library's casing ("Bolder" for "bolder").
  const same =
    typeof source === 'string' && typeof output === 'string'
      ? source.toLowerCase() === output.toLowerCase()
      : source === output;
  if (!same) out.push(`${path}: ${JSON.stringify(source)} became ${JSON.stringify(output)}`);
}
