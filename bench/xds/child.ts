/** A `hie serve` child process for the benchmark: the server on its own core, the load generator in this process. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ChildServer {
  httpPort: number;
  stop(): Promise<void>;
}

export async function startChild(dataDir: string, config: Record<string, unknown>): Promise<ChildServer> {
  fs.mkdirSync(dataDir, { recursive: true });
  const configFile = path.join(dataDir, 'bench-config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'serve', '--config', configFile, '--data-dir', dataDir, '--mllp-port', '0', '--http-port', '0', '--log-level', 'warn'],
    { cwd: ROOT, env: { ...process.env, HIE_TOKEN_KEY: 'bench-issuer-key-0123456789abcdef' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const httpPort = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 120_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /HTTP [^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return {
    httpPort,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
