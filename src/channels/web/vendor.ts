import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The browser builds of the Adaptive Cards libraries, served as they ship. */
const FILES: Record<string, string> = {
  'adaptivecards.min.js': require.resolve('adaptivecards/dist/adaptivecards.min.js'),
  'adaptivecards-templating.min.js': require.resolve(
    'adaptivecards-templating/dist/adaptivecards-templating.min.js',
  ),
};

/**
 * adaptivecards-templating's browser build expects adaptive-expressions as
 * the global `AEL`, but that package ships its browser build only as
 * CommonJS. Wrapped, it loads as a plain script before the templating one.
 *
 * That build also calls its bundled `assert` module as a function while it
 * is a module namespace object ("… is not a function" on the first
 * `${expression}`). The namespace is made callable (its `default` export);
 * a build without that pattern is served unchanged.
 */
function wrapExpressions(source: string): string {
  const assertNs = /var (\w+)=\{\};\w+\(\1,\{AssertionError:/.exec(source)?.[1];
  const patched = assertNs
    ? source.replaceAll(
        new RegExp(`\\((\\w+)\\(\\),(\\w+)\\(${assertNs}\\)\\)`, 'g'),
        (_whole, init: string, toCjs: string) => `(${init}(),__aelCallable(${toCjs}(${assertNs})))`,
      )
    : source;
  return [
    '/* adaptive-expressions (MIT), exposed as window.AEL for adaptivecards-templating */',
    '(function (module, exports) {',
    'function __aelCallable(ns) {',
    '  return Object.assign(function () { return ns.default.apply(this, arguments); }, ns);',
    '}',
    patched,
    '}).call(self, (self.__ael = { exports: {} }), self.__ael.exports);',
    'self.AEL = self.__ael.exports;',
    'delete self.__ael;',
    '',
  ].join('\n');
}

const cache = new Map<string, Promise<string>>();

/** A vendored script by file name, or undefined for any other name. */
export function vendorScript(name: string): Promise<string> | undefined {
  const cached = cache.get(name);
  if (cached) return cached;
  let loading: Promise<string>;
  if (name === 'adaptive-expressions.js') {
    loading = readFile(require.resolve('adaptive-expressions/lib/browser.js'), 'utf8').then(
      wrapExpressions,
    );
  } else if (Object.hasOwn(FILES, name)) {
    loading = readFile(FILES[name] as string, 'utf8');
  } else {
    return undefined;
  }
  // A failed read is not remembered: the next request tries again.
  loading.catch(() => cache.delete(name));
  cache.set(name, loading);
  return loading;
}
