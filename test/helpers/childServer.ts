/** Runs `hie serve` as a separate process, so that tests can kill it at any moment. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testStoreEnv } from './postgres.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The node flags of package.json's `hie` script and bin/hie.js, so that a child serves as `npm start` does. */
const HIE_NODE_FLAGS = ['--max-semi-space-size=64'];

export interface ChildServer {
  process: ChildProcess;
  mllpPort: number;
  /** The HTTP port, when the HTTP listener is on. */
  httpPort?: number;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnServer(dataDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    [...HIE_NODE_FLAGS, ...nodeArgs, '--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'serve', '--data-dir', dataDir, '--mllp-port', '0', '--http-port', '0', '--log-level', 'warn', ...extraArgs],
    { cwd: ROOT, env: { ...process.env, HIE_TOKEN_KEY: 'test-issuer-key-0123456789abcdef', ...(await testStoreEnv(dataDir)), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const [mllpPort, httpPort] = await new Promise<[number, number | undefined]>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 120_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /MLLP [^:]+:(\d+)\s+HTTP [^:\s]+:(\d+|-)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([Number(m[1]), m[2] === '-' ? undefined : Number(m[2])]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return {
    process: child,
    mllpPort,
    httpPort,
    kill(signal = 'SIGKILL') {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}
