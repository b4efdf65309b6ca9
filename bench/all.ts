/**
 * npm run bench: every `bench:<area>` script of package.json whose entry file is in this checkout,
 * one after the other; an area whose file is absent is named and skipped, never silently.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts ?? {};
let failed = 0;
for (const [name, command] of Object.entries(scripts)) {
  if (!name.startsWith('bench:')) continue;
  const file = /\b(bench\/\S+\.ts)\b/.exec(command)?.[1];
  if (file && !fs.existsSync(path.join(root, file))) {
    process.stderr.write(`${name}: skipped, ${file} is not in this checkout\n`);
    continue;
  }
  process.stderr.write(`\n== npm run ${name}\n`);
  const r = spawnSync('npm', ['run', '--silent', name], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
