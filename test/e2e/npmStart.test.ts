/**
 * `npm start` as README.md runs it: it builds the server (tsc to dist/) and runs it with plain node,
 * threads included, and a SIGTERM to npm alone, or a Ctrl-C to the terminal's process group, stops
 * the server: its ports close and no process is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { tempDir } from '../helpers/hieServer.ts';
import { octetCounted, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Started {
  npm: ChildProcess;
  ports: { mllp: number; http: number; syslog: number };
  dir: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function npmStart(): Promise<Started> {
  const dir = tempDir('hie-npm-start-');
  fs.writeFileSync(path.join(dir, 'hie.json'), JSON.stringify({ dataDir: 'data', mllp: { port: 0 }, http: { port: 0 }, syslog: { tcp: { port: 0 } } }));
  // A process group of its own, as a terminal gives a foreground job.
  const npm = spawn('npm', ['start', '--', '--config', path.join(dir, 'hie.json')], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, HIE_TOKEN_KEY: 'test-issuer-key-0123456789abcdef' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  npm.stdout!.on('data', (d) => (stdout += d));
  npm.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 240_000;
  let m: RegExpExecArray | null = null;
  while (!(m = /MLLP [^:]+:(\d+)\s+HTTP [^:\s]+:(\d+)\s+syslog TCP [^:\s]+:(\d+)/.exec(stdout))) {
    if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not serve (exit ${npm.exitCode}): ${stdout}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { npm, ports: { mllp: Number(m[1]), http: Number(m[2]), syslog: Number(m[3]) }, dir, stderr: () => stderr, exited };
}

function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** The processes of a group still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start (the production build)', function () {
  this.timeout(300_000);
  const groups: number[] = [];
  after(() => {
    // Nothing is left running, whatever a failed test left.
    for (const g of groups) if (groupAlive(g)) process.kill(-g, 'SIGKILL');
  });

  const expectStopped = async (s: Started) => {
    await until('every process of the group has exited', () => !groupAlive(s.npm.pid!));
    expect(await s.exited).to.equal(0);
    for (const port of Object.values(s.ports)) expect(await refused(port), `port ${port} closed`).to.equal(true);
    const events = s
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).to.include.members(['stopping', 'stopped']);
  };

  it('serves from dist/ with plain node, threads included, and stops on a SIGTERM to npm alone', async () => {
    const s = await npmStart();
    groups.push(s.npm.pid!);
    expect(fs.existsSync(path.join(ROOT, 'dist/cli/main.js'))).to.equal(true);
    // The server is node on dist/, not tsx: npm's shell gave way to it (exec).
    const server = fs.readFileSync(`/proc/${s.npm.pid}/task/${s.npm.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    expect(server).to.have.length(1);
    expect(fs.readFileSync(`/proc/${server[0]}/cmdline`, 'utf8').split('\0')).to.include.members(['node', 'dist/cli/main.js', 'serve']);
    expect(JSON.parse((await get(s.ports.http, '/health/ready')).body)).to.deep.equal({ status: 'ready' });
    // The data folder named in the config file is resolved from the file's folder.
    expect(fs.existsSync(path.join(s.dir, 'data', 'hie.db'))).to.equal(true);
    // A syslog message goes through a reader thread started from dist/.
    await sendSyslogStream(s.ports.syslog, [octetCounted(syslogMessage(receivedAuditXml({ patients: ['NPM-1^^^HOSP_A&1.2.392.999.1&ISO'] })))]);
    await until('the message is stored', async () => /hie_transactions_total\{transaction="ITI-20",edge="syslog",outcome="success"\} 1/.test((await get(s.ports.http, '/metrics')).body));
    expect(s.stderr()).not.to.match(/thread-failed|"level":"error"/);

    process.kill(s.npm.pid!, 'SIGTERM');
    await expectStopped(s);
  });

  it('stops on Ctrl-C (SIGINT to the whole process group)', async () => {
    const s = await npmStart();
    groups.push(s.npm.pid!);
    process.kill(-s.npm.pid!, 'SIGINT');
    await expectStopped(s);
    expect(s.stderr()).not.to.contain('stopped.forced');
  });
});
