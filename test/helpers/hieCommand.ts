/** Runs the hie command as a child process, as a user would. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { testStoreEnv } from './postgres.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function hie(args: string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const at = args.indexOf('--data-dir');
  const store = await testStoreEnv(at >= 0 ? args[at + 1] : env.HIE_DATA_DIR);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...store, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
