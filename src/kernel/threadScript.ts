/**
 * The entry module of a worker thread. Run from the TypeScript sources (tsx), a thread starts on a
 * small `NAME.boot.mjs` beside the module that registers tsx and imports `NAME.ts`; run from the
 * build (dist/, plain node), the compiled `NAME.js` is the entry itself and no boot file is needed.
 */
export function threadScript(moduleUrl: string, name: string): URL {
  return new URL(moduleUrl.endsWith('.ts') ? `./${name}.boot.mjs` : `./${name}.js`, moduleUrl);
}
