/**
 * The Japanese font the access report brings with it: Noto Sans JP (SIL Open Font License) from the
 * pinned @fontsource/noto-sans-jp package, served from node_modules. Its stylesheets split the font
 * into unicode-range subsets, so a browser fetches only the WOFF2 files of the characters on the page.
 *   GET {base}/noto-sans-jp/400.css, 700.css                 text/css (WOFF2 sources only)
 *   GET {base}/noto-sans-jp/files/noto-sans-jp-*-400|700-normal.woff2   font/woff2
 * Nothing else of the package is served; the names are matched, never joined into a path as given.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';

const PACKAGE_DIR = path.dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-jp/400.css'));
const WEIGHTS = ['400', '700'] as const;

export const FONT_FAMILY = `'Noto Sans JP', "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif`;

/** The <link> elements of the page, `base` the font folder relative to the page (ending in /). */
export function fontStylesheets(base: string): string {
  return WEIGHTS.map((w) => `<link rel="stylesheet" href="${base}${w}.css">`).join('\n');
}

/** The package's stylesheet of one weight, its WOFF fallbacks dropped (every browser that reads the page reads WOFF2). */
function stylesheet(weight: string): string {
  return fs.readFileSync(path.join(PACKAGE_DIR, `${weight}.css`), 'utf8').replace(/,\s*url\([^)]*\.woff\) format\('woff'\)/g, '');
}

export function fontRouter(): Router {
  const router = express.Router();
  const css = new Map<string, string>();
  const year = 365 * 24 * 3600;
  router.get('/noto-sans-jp/:weight.css', (req, res, next) => {
    const weight = String(req.params.weight);
    if (!(WEIGHTS as readonly string[]).includes(weight)) return next();
    if (!css.has(weight)) css.set(weight, stylesheet(weight));
    // The package is pinned: a version's files never change.
    res.set('Cache-Control', `public, max-age=${year}`).type('text/css; charset=utf-8').send(css.get(weight));
  });
  router.get('/noto-sans-jp/files/:file', (req, res, next) => {
    const file = String(req.params.file);
    if (!/^noto-sans-jp-[a-z0-9]+-(400|700)-normal\.woff2$/.test(file)) return next();
    const full = path.join(PACKAGE_DIR, 'files', file);
    if (!fs.existsSync(full)) return next();
    res.set('Cache-Control', `public, max-age=${year}`).type('font/woff2').sendFile(full);
  });
  return router;
}
