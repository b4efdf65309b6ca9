/**
 * deploy/: the systemd unit and the container file run what the build makes, with what README.md
 * says they expect. A container build cannot run here; what can be checked without one is.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** `Key=value` lines of a unit file (the last one of a key wins, as systemd reads them). */
function unitKeys(text: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) keys.set(m[1], [...(keys.get(m[1]) ?? []), m[2]]);
  }
  return keys;
}

describe('deploy/', function () {
  this.timeout(180_000);
  before(() => {
    // What `npm start` and the images run: the build (incremental: quick when dist/ is current).
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  });

  it('keeps the build out of git', () => {
    expect(read('.gitignore').split('\n')).to.include('dist/');
  });

  describe('hie.service (systemd)', () => {
    const unit = read('deploy/hie.service');
    const keys = unitKeys(unit);
    const one = (k: string) => keys.get(k)?.at(-1);

    it('passes systemd-analyze verify', () => {
      const r = spawnSync('systemd-analyze', ['verify', path.join(ROOT, 'deploy/hie.service')], { encoding: 'utf8' });
      expect(r.error, 'systemd-analyze (Debian: systemd)').to.equal(undefined);
      expect(r.stderr.trim()).to.equal('');
      expect(r.status).to.equal(0);
    });

    it('runs node on the built server from its working directory, gracefully stopped by SIGTERM', () => {
      const exec = one('ExecStart')!.split(/\s+/);
      expect(exec[0]).to.equal('/usr/bin/node');
      const script = exec.find((a) => a.endsWith('.js'))!;
      expect(script.startsWith(one('WorkingDirectory')! + '/')).to.equal(true);
      expect(fs.existsSync(path.join(ROOT, path.relative(one('WorkingDirectory')!, script))), script).to.equal(true);
      expect(exec.at(-1)).to.equal('serve');
      expect(one('KillSignal')).to.equal('SIGTERM');
      expect(one('Restart')).to.equal('on-failure');
    });

    it('names its user, config and data folder, and is hardened', () => {
      expect(one('User')).to.be.a('string').and.not.equal('root');
      const env = keys.get('Environment') ?? [];
      expect(env).to.include.members(['HIE_CONFIG=/etc/hie/hie.json', 'HIE_DATA_DIR=/var/lib/hie']);
      expect(one('StateDirectory')).to.equal('hie');
      for (const [k, v] of Object.entries({ NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', CapabilityBoundingSet: '' })) expect(one(k), k).to.equal(v);
    });
  });

  describe('Containerfile', () => {
    const file = read('deploy/Containerfile');
    const lines = file.split('\n').filter((l) => l && !l.startsWith('#'));
    const instr = (name: string) => lines.filter((l) => l.startsWith(name + ' ')).map((l) => l.slice(name.length + 1).trim());

    it('builds on node:20-bookworm-slim, better-sqlite3 from source, and runs as a non-root user', () => {
      expect(instr('FROM').map((f) => f.split(' ')[0])).to.deep.equal(['node:20-bookworm-slim', 'node:20-bookworm-slim']);
      expect(file).to.match(/npm_config_build_from_source=true/);
      expect(file).to.match(/RUN npm ci\n/);
      expect(instr('USER')).to.deep.equal(['node']);
    });

    it('keeps data in a volume, the folder the server writes to, and exposes the example config ports', () => {
      const dataDir = /HIE_DATA_DIR=(\S+)/.exec(file)![1];
      expect(JSON.parse(instr('VOLUME')[0])).to.deep.equal([dataDir]);
      const example = JSON.parse(read('examples/hie.json')) as { mllp: { port: number }; http: { port: number }; syslog: { tls: { port: number } } };
      expect(instr('EXPOSE')[0].split(' ').map(Number)).to.deep.equal([example.mllp.port, example.http.port, example.syslog.tls.port]);
    });

    it('runs the built server, from files the build context holds', () => {
      const entry = JSON.parse(instr('ENTRYPOINT')[0]) as string[];
      expect(entry[0]).to.equal('node');
      expect(fs.existsSync(path.join(ROOT, entry.find((a) => a.endsWith('.js'))!))).to.equal(true);
      expect(JSON.parse(instr('CMD')[0])).to.deep.equal(['serve']);
      const ignored = read('.dockerignore').split('\n').filter((l) => l && !l.startsWith('#'));
      for (const copy of instr('COPY').filter((c) => !c.startsWith('--from'))) {
        for (const src of copy.split(/\s+/).slice(0, -1)) {
          expect(fs.existsSync(path.join(ROOT, src)), src).to.equal(true);
          expect(ignored, src).not.to.include(src);
        }
      }
    });
  });
});
