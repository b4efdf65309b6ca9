/**
 * A real rsyslog (Debian rsyslog + rsyslog-gnutls) for tests and the benchmark: its own configuration,
 * work directory and pid file in a temp folder, run in the foreground as a child process. A missing
 * binary or GnuTLS driver fails with the package to install, never a silent skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './hieServer.ts';

export const RSYSLOG_MISSING = 'rsyslogd not found: apt-get install rsyslog rsyslog-gnutls';
export const GTLS_MISSING = 'the rsyslog GnuTLS driver (lmnsd_gtls) is missing: apt-get install rsyslog-gnutls';

export function rsyslogd(): string {
  for (const p of ['/usr/sbin/rsyslogd', '/sbin/rsyslogd']) if (fs.existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v rsyslogd'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  throw new Error(RSYSLOG_MISSING);
}

export function requireGtls(): void {
  const r = spawnSync('sh', ['-c', 'ls /usr/lib/*/rsyslog/lmnsd_gtls.so /usr/lib/rsyslog/lmnsd_gtls.so 2>/dev/null'], { encoding: 'utf8' });
  if (!r.stdout.trim()) throw new Error(GTLS_MISSING);
}

export interface Rsyslog {
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
  output(): string;
}

/** Starts rsyslogd with `config` (its work directory is `dir`); resolves when `readyPort` (TCP) accepts. */
export async function startRsyslog(config: (dir: string) => string, readyPort: number): Promise<Rsyslog> {
  const bin = rsyslogd();
  const dir = tempDir('hie-rsyslog-');
  const conf = path.join(dir, 'rsyslog.conf');
  fs.writeFileSync(conf, config(dir));
  const check = spawnSync(bin, ['-N1', '-f', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslog rejects the test configuration: ${check.stderr}${check.stdout}`);
  const child = spawn(bin, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${out}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: readyPort }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`rsyslogd did not open port ${readyPort}: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dir,
    process: child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A free TCP port (also free for UDP in practice on a test machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
