import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Status } from '../../src/xds/registry/schemes.ts';
import { startTestServer, tempDir } from '../helpers/hieServer.ts';
import { samples, spawnHie, ssmix2ReferenceDir, writeStored } from '../helpers/ssmix2.ts';

describe('hie ingest ssmix2 --watch (e2e)', function () {
  this.timeout(90_000);

  it('keeps taking new files, reports each pass, no progress line when stderr is no terminal, and stops on SIGTERM', async () => {
    const root = tempDir('hie-watch-');
    const config = path.join(tempDir(), 'config.json');
    fs.writeFileSync(config, JSON.stringify({ identity: { domains: [{ namespace: 'HIS123', oid: '2.999.392.100.1' }], token: { issuerKey: 'test-issuer-key-0123456789abcdef' } } }));
    writeStored(root, '1234567_-_ADT-00_999999999999999_20240401101500000_-_1', samples.adt00('1234567'));
    writeStored(root, '1234567_20240401_OMP-01_100_20240401101500000_01_1', samples.rde('1234567', '100'));
    const p = spawnHie(['ingest', 'ssmix2', root, '--facility', 'HIS123', '--config', config, '--data-dir', tempDir(), '--watch', '--interval', '0.2']);
    try {
      await p.waitFor(/patients fed \(ADT-00\)\s+1\n\s+documents registered\s+1 /);
      writeStored(root, '1234567_20240402_OMP-01_101_20240402101500000_01_1', samples.rde('1234567', '101'));
      await p.waitFor(/unchanged since last run\s+2\n\s+rejected\s+0/);
      writeStored(root, '1234567_20240403_OMP-01_102_20240403101500000_01_1', Buffer.from([0xfb, 0xfc]));
      await p.waitFor(/Rejected files \(bad encoding: 1\):\n\s+123\/456\/1234567\/20240403\/OMP-01\/1234567_20240403_OMP-01_102/);
      await new Promise((r) => setTimeout(r, 600));
      expect(p.stdout().match(/Rejected files/g), 'a rejection is reported once, not at every pass').to.have.length(1);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).to.equal(3);
    expect(p.stderr()).to.not.contain('[#');
  });

  it('says what is wrong with its arguments', async () => {
    const noFacility = spawnHie(['ingest', 'ssmix2', tempDir()]);
    expect(await noFacility.exited).to.equal(2);
    expect(noFacility.stderr()).to.contain('--facility is required');
    const unknown = spawnHie(['ingest', 'ssmix2', tempDir(), '--facility', 'NOWHERE', '--data-dir', tempDir()]);
    expect(await unknown.exited).to.equal(2);
    expect(unknown.stderr()).to.contain("facility 'NOWHERE' is not a facility domain");
    const missing = spawnHie(['ingest', 'ssmix2', path.join(tempDir(), 'absent'), '--facility', 'X']);
    expect(await missing.exited).to.equal(2);
    expect(missing.stderr()).to.match(/absent is not a folder/);
    const help = spawnHie(['ingest', 'ssmix2', '--help']);
    expect(await help.exited).to.equal(0);
    expect(help.stdout()).to.contain('Usage: hie ingest ssmix2 ROOT --facility F');
  });

  it('hie ssmix generate writes the trees and their manifest, and refuses a folder that is not empty', async () => {
    const out = path.join(tempDir(), 'trees');
    const gen = spawnHie(['ssmix', 'generate', '--facilities', '2', '--patients', '5', '--seed', '9', '--out', out]);
    expect(await gen.exited, gen.output()).to.equal(0);
    expect(gen.stdout()).to.match(/^wrote \d+ files for 5 people \(\d+ patients at 2 facilities\)/);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'facilities.json'), 'utf8'));
    expect(manifest.facilities.map((f: { namespace: string; oid: string }) => `${f.namespace} ${f.oid}`)).to.deep.equal(['HOSP01 2.999.392.100.1', 'HOSP02 2.999.392.100.2']);
    expect(fs.readdirSync(path.join(out, 'HOSP01')).length).to.be.greaterThan(0);
    const again = spawnHie(['ssmix', 'generate', '--out', out]);
    expect(await again.exited).to.equal(2);
    expect(again.stderr()).to.contain('is not empty');
  });

  it('hie ingest ssmix2 --to publishes to a running HIE as an adapter', async () => {
    const server = await startTestServer({ identity: { domains: [{ namespace: 'HIS123', oid: '2.999.392.100.1' }] } } as never);
    try {
      const config = path.join(tempDir(), 'config.json');
      fs.writeFileSync(config, JSON.stringify({ identity: { domains: [{ namespace: 'HIS123', oid: '2.999.392.100.1' }], token: { issuerKey: 'adapter-issuer-key-0123456789ab' } } }));
      const root = path.join(ssmix2ReferenceDir(), 'sampleData');
      const to = `mllp://127.0.0.1:${server.mllpPort},http://127.0.0.1:${server.app.ports.http}`;
      const p = spawnHie(['ingest', 'ssmix2', root, '--facility', 'HIS123', '--config', config, '--data-dir', tempDir(), '--to', to]);
      expect(await p.exited, p.output()).to.equal(3);
      expect(p.stdout()).to.match(/patients fed \(ADT-00\)\s+1\n\s+documents registered\s+18 /);
      const person = await server.app.store.read(async (tx) => (await tx.identity.record('2.999.392.100.1', '9999013'))?.personId);
      const docs = await server.app.store.read((tx) => tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [person!], statuses: [Status.approved] }, 100));
      expect(docs).to.have.length(18);
    } finally {
      await server.stop();
    }
  });
});
