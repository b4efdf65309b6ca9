import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { field, startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A, HOSP_B, pixQuery } from '../helpers/messages.ts';
import { hie } from '../helpers/hieCommand.ts';

describe('the hie command', function () {
  this.timeout(180_000);

  it('gives --help for itself and every command', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['send', '--help'], ['token', 'issue', '--help'], ['pix', 'review', '--help'], ['audit', '--help'], ['certs', '--help'], ['xds', '--help'], ['ingest', '--help']]) {
      const r = await hie(args);
      expect(r.code, args.join(' ')).to.equal(0);
      expect(r.stdout, args.join(' ')).to.match(/Usage/);
    }
    const unknown = await hie(['frobnicate']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain("unknown command 'frobnicate'");
  });

  it('names in --help only the actors this server has, and every command it runs', async () => {
    const r = await hie(['--help']);
    expect(r.code).to.equal(0);
    // No XCPD and no FHIR faces of PIX/PDQ/XDS (PIXm, PDQm, MHD) are served; the XCA gateways are.
    expect(r.stdout).to.not.match(/XCPD|PIXm|PDQm|MHD|FHIR/);
    expect(r.stdout.split('\n')[0]).to.equal('hie: a regional health information exchange (IHE PIX/PDQ, XDS.b, XCA, ATNA)');
    for (const command of ['serve', 'send', 'ingest ssmix2', 'ssmix generate', 'token issue', 'pix review', 'audit patient', 'consent', 'disaster', 'certs', 'xds find', 'xds get', 'demo-regions']) {
      expect(r.stdout, command).to.match(new RegExp(`\\n  ${command} `));
    }
  });

  it('stops on a bad configuration with a message that names the key', async () => {
    const file = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ mllp: { port: 'twenty' } }));
    const r = await hie(['serve', '--config', file]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('mllp.port: must be integer');
  });

  it('issues tokens from stdin, reporting bad lines by number only', async () => {
    const dataDir = tempDir();
    const r = await hie(['token', 'issue', '--data-dir', dataDir], '123456789018\n123456789017\n\n000000000019\n');
    expect(r.code).to.equal(1);
    const tokens = r.stdout.trim().split('\n');
    expect(tokens).to.have.length(2);
    tokens.forEach((t) => expect(t).to.match(/^[A-Z2-7]{32}$/));
    expect(r.stderr).to.equal('line 2: not a valid individual number (12 digits with a correct check digit)\n');
    expect(r.stdout + r.stderr).to.not.contain('12345678901');
    const again = await hie(['token', 'issue', '--data-dir', dataDir], '123456789018\n');
    expect(again.stdout.trim()).to.equal(tokens[0]);
    const withKey = await hie(['token', 'issue', '--data-dir', dataDir], '123456789018\n', { HIE_TOKEN_KEY: 'another-key-0123456789abcdef' });
    expect(withKey.stdout.trim()).to.not.equal(tokens[0]);
    expect(fs.statSync(path.join(dataDir, 'keys', 'token-issuer.key')).mode & 0o777).to.equal(0o600);
  });

  it('prints organization pseudonyms with --org', async () => {
    const file = path.join(tempDir(), 'c.json');
    fs.writeFileSync(file, JSON.stringify({ identity: { pseudonymDomains: [{ namespace: 'STUDY1', oid: '2.999.392.7.1', key: 'study-one-key-0123456789' }] } }));
    const plain = await hie(['token', 'issue', '--config', file, '--data-dir', tempDir()], '123456789018\n');
    const org = await hie(['token', 'issue', '--config', file, '--data-dir', tempDir(), '--org', 'STUDY1'], '123456789018\n');
    expect(org.code).to.equal(0);
    expect(org.stdout.trim()).to.match(/^[A-Z2-7]{32}$/).and.not.equal(plain.stdout.trim());
  });

  describe('with a running server', () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer();
    });
    after(async () => {
      await s.stop();
    });

    it('sends a file of messages and prints each acknowledgement', async () => {
      const file = path.join(tempDir(), 'feeds.hl7');
      fs.writeFileSync(file, adt({ ids: [`C1^^^${HOSP_A}`], controlId: 'CLI-1' }) + '\n' + adt({ ids: [`C2^^^${HOSP_A}`], controlId: 'CLI-2' }));
      const r = await hie(['send', file, '--to', `127.0.0.1:${s.mllpPort}`]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.contain('MSA|AA|CLI-1').and.contain('MSA|AA|CLI-2');
      const bad = path.join(tempDir(), 'bad.hl7');
      fs.writeFileSync(bad, 'MSH|^~\\&|A|B|C|D|||DFT^P03|X1|P|2.5\rFT1|1');
      const r2 = await hie(['send', bad, '--to', `127.0.0.1:${s.mllpPort}`]);
      expect(r2.code).to.equal(1);
      expect(r2.stdout).to.contain('MSA|AR|X1');
    });

    it('lists, accepts and rejects link proposals on the data folder of the running server', async () => {
      const name = '鈴木^花子^^^^^L^I~スズキ^ハナコ^^^^^L^P';
      await s.send(adt({ ids: [`R1^^^${HOSP_A}`], name, birthDate: '19850303', sex: 'F' }));
      await s.send(adt({ ids: [`R2^^^${HOSP_B}`], name, birthDate: '19850303', sex: 'F', sendingFacility: 'HOSP_B' }));
      const list = await hie(['pix', 'review', '--data-dir', s.dataDir]);
      expect(list.code).to.equal(0);
      const m = /#(\d+) pending score ([\d.]+)/.exec(list.stdout);
      expect(m, list.stdout).to.not.equal(null);
      expect(list.stdout).to.contain('スズキ ハナコ');
      const accept = await hie(['pix', 'review', 'accept', m![1], '--data-dir', s.dataDir]);
      expect(accept.code, accept.stderr).to.equal(0);
      expect(accept.stdout).to.contain('linked');
      const rsp = await s.send(pixQuery({ key: `R1^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
      expect(field(rsp, 'PID', 3)).to.equal(`R2^^^${HOSP_B}`);
      const twice = await hie(['pix', 'review', 'reject', m![1], '--data-dir', s.dataDir]);
      expect(twice.code).to.equal(1);
      expect(twice.stderr).to.contain(`no pending proposal ${m![1]}`);
    });
  });
});
