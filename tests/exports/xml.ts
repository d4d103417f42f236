/**
 * A small XML well-formedness check (enough for generated SVG): tags nest
 * and balance, one root, attributes quoted and unique, `&` only in entity
 * references, no stray `<`. Returns the problems found.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let rest = xml.replace(/^\uFEFF?<\?xml[^?]*\?>/, '');
  const entities = (text: string, where: string) => {
    for (const m of text.matchAll(/&([^;\s]*);?/g)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0]))
        problems.push(`bad entity ${JSON.stringify(m[0])} in ${where}`);
    }
  };
  while (rest.length > 0) {
    if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) return [...problems, 'unterminated comment'];
      rest = rest.slice(end + 3);
      continue;
    }
    if (rest.startsWith('</')) {
      const m = /^<\/([A-Za-z_][\w:.-]*)\s*>/.exec(rest);
      if (!m) return [...problems, `bad end tag at ${JSON.stringify(rest.slice(0, 30))}`];
      const open = stack.pop();
      if (open !== m[1]) problems.push(`</${m[1]}> closes <${open}>`);
      rest = rest.slice(m[0].length);
      continue;
    }
    if (rest.startsWith('<')) {
      const m = /^<([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(
        rest,
      );
      if (!m) return [...problems, `bad start tag at ${JSON.stringify(rest.slice(0, 40))}`];
      const [whole, name = '', attrs = '', selfClosing] = m;
      const seen = new Set<string>();
      for (const a of attrs.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const attr = a[1] ?? '';
        if (seen.has(attr)) problems.push(`duplicate attribute ${attr} on <${name}>`);
        seen.add(attr);
        const value = a[2] ?? a[3] ?? '';
        if (value.includes('<')) problems.push(`< in attribute ${attr}`);
        entities(value, `attribute ${attr}`);
      }
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name);
      rest = rest.slice(whole.length);
      continue;
    }
    const next = rest.indexOf('<');
    const text = next < 0 ? rest : rest.slice(0, next);
    if (stack.length === 0 && text.trim() !== '') problems.push('text outside the root');
    entities(text, 'text');
    rest = next < 0 ? '' : rest.slice(next);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
