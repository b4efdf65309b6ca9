import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { encodeMessage } from '../../hl7v2/charset.ts';
import { DomainDirectory } from '../../identity/domainDirectory.ts';
import { validate } from '../../server/config/load.ts';
import { readStorageFile } from './fileReader.ts';
import { ReaderPool } from './readerPool.ts';

const RDE = [
  'MSH|^~\\&|HIS|F|GW|R|20240401101500||RDE^O11^RDE_O11|1|P|2.5||||||~ISO IR87||ISO 2022-1994',
  'PID|0001||1234567^^^^PI||山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P||19650415|M',
  'ORC|NW|100||1|||||20240401093000',
  'RXE||112233401^アムロジピン錠５ｍｇ^HOT9|1||TAB^錠^MR9P',
].join('\r');

describe('storage files read by worker threads', function () {
  this.timeout(30_000);

  it('gives the same facts as a read in this thread, and the reasons of rejected files', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-pool-'));
    const good = '123/456/1234567/20240401/OMP-01/1234567_20240401_OMP-01_100_20240401101500000_01_1';
    const bad = '123/456/1234567/20240401/OMP-01/1234567_20240401_OMP-01_101_20240401101500000_01_1';
    const wrong = '123/456/1234567/20240401/OML-01/1234567_20240401_OML-01_102_20240401101500000_01_1';
    const mynumber = '123/456/1234567/20240401/OMP-01/1234567_20240401_OMP-01_103_20240401101500000_01_1';
    for (const [rel, bytes] of [
      [good, encodeMessage(RDE, 'iso-2022-jp')],
      [bad, Buffer.from([0xfb, 0xfc])],
      [wrong, encodeMessage(RDE, 'iso-2022-jp')],
      [mynumber, encodeMessage(RDE.replace('1234567^^^^PI', '1234567^^^^PI~123456789018^^^&2.999.392.1.9&ISO^MN'), 'iso-2022-jp')],
    ] as const) {
      fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), bytes);
    }
    const identity = validate({}).identity;
    const domains = new DomainDirectory(identity);
    const pool = new ReaderPool(domains, identity, 1);
    try {
      expect(pool.size).to.equal(1);
      const [a, b, c, d, e] = await Promise.all([pool.read(root, good), pool.read(root, bad), pool.read(root, wrong), pool.read(root, 'x/y'), pool.read(root, mynumber)]);
      const local = readStorageFile(root, good, domains);
      expect(a.ok && local.ok).to.equal(true);
      if (a.ok && local.ok) {
        expect(Buffer.isBuffer(a.file.bytes)).to.equal(true);
        expect({ ...a.file, bytes: Buffer.from(a.file.bytes).toString('hex') }).to.deep.equal({ ...local.file, bytes: Buffer.from(local.file.bytes).toString('hex') });
        expect(a.file.facts.sourcePatientInfo[0]).to.equal('PID-5|山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P');
        expect(a.file.facts.careDate).to.equal('20240401093000');
      }
      expect([b, c, d, e].map((r) => (r.ok ? 'ok' : r.reason))).to.deep.equal(['bad-encoding', 'wrong-message-type', 'bad-name', 'individual-number']);
      expect(e.ok ? '' : e.detail, 'the number is never repeated').to.not.contain('123456789018');
      expect(e.ok ? '' : e.detail).to.contain('PID^1^3^2');
    } finally {
      await pool.close();
    }
  });
});
