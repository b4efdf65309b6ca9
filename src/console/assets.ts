/**
 * The console's stylesheet and its one script, served as /console/static/console.css and .js (kept
 * in the source so that the build, tsc alone, carries them). Pages allow no inline script or style
 * (the Content-Security-Policy of router.ts).
 */
import { FONT_FAMILY } from '../atna/report/fontRoutes.ts';

export const CONSOLE_CSS = `/* The console's one stylesheet: one column on a phone, tables scroll within their box. */
body { font-family: ${FONT_FAMILY}; margin: 0; color: #111; background: #fff; line-height: 1.6; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 0.5em; top: 0.5em; background: #fff; padding: 0.3em; z-index: 2; }
header { background: #0b3d66; color: #fff; padding: 0.5em 1em; }
header a, header button { color: #fff; }
header .app { font-weight: 700; margin: 0; }
header .who { display: flex; flex-wrap: wrap; gap: 0.8em; align-items: center; font-size: 0.9em; }
header button { background: none; border: 1px solid #fff; border-radius: 4px; padding: 0.1em 0.6em; font: inherit; cursor: pointer; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1.2em; margin: 0.4em 0 0; padding: 0; }
main { padding: 1em; max-width: 72em; }
h1 { font-size: 1.4em; margin: 0.2em 0 0.6em; }
h2 { font-size: 1.15em; margin: 1.2em 0 0.4em; }
a { color: #0645ad; }
form.inline { display: inline; }
.fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(12em, 1fr)); gap: 0.6em 1em; margin-bottom: 0.8em; }
label { display: block; font-size: 0.9em; color: #333; }
input, select, textarea { font: inherit; padding: 0.3em; border: 1px solid #767676; border-radius: 3px; width: 100%; box-sizing: border-box; }
input[type=checkbox], input[type=radio] { width: auto; }
button { font: inherit; padding: 0.35em 1em; border: 1px solid #0b3d66; background: #0b3d66; color: #fff; border-radius: 4px; cursor: pointer; }
button.secondary { background: #fff; color: #0b3d66; }
button.danger { background: #a00; border-color: #a00; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { border: 1px solid #aaa; padding: 0.25em 0.5em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #eef2f6; }
caption { text-align: left; font-weight: 700; padding: 0.3em 0; }
.notice { border-left: 5px solid #1a7f37; background: #eefbf1; padding: 0.5em 0.8em; }
.notice.error { border-color: #a00; background: #fff0f0; }
.flag { color: #a00; font-weight: 700; }
.muted { color: #555; font-size: 0.88em; }
.abnormal { color: #a00; font-weight: 700; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; }
dl.kv dt { font-weight: 700; }
dl.kv dd { margin: 0; }
table.segment td { white-space: pre-line; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f6f6; padding: 0.6em; }
iframe.doc, img.doc { width: 100%; min-height: 70vh; border: 1px solid #aaa; }
img.doc { min-height: 0; height: auto; }
@media (max-width: 600px) {
  main { padding: 0.6em; }
  h1 { font-size: 1.2em; }
  dl.kv { grid-template-columns: 1fr; }
}
`;

export const CONSOLE_JS = `// The console's one script: asks before a form marked data-confirm is sent. Pages work without it.
document.addEventListener('submit', function (ev) {
  var form = ev.target;
  var question = form && form.getAttribute && form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) ev.preventDefault();
});
`;
