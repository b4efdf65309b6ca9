import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { encodeMessage } from '../../hl7v2/charset.ts';
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
    for (const [rel, bytes] of [
      [good, encodeMessage(RDE, 'iso-2022-jp')],
      [bad, Buffer.from([0xfb, 0xfc])],
      [wrong, encodeMessage(RDE, 'iso-2022-jp')],
    ] as const) {
      fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), bytes);
    }
    const pool = new ReaderPool(1);
    try {
      expect(pool.size).to.equal(1);
      const [a, b, c, d] = await Promise.all([pool.read(root, good), pool.read(root, bad), pool.read(root, wrong), pool.read(root, 'x/y')]);
      const local = readStorageFile(root, good);
      expect(a.ok && local.ok).to.equal(true);
      if (a.ok && local.ok) {
        expect(Buffer.isBuffer(a.file.bytes)).to.equal(true);
        expect({ ...a.file, bytes: Buffer.from(a.file.bytes).toString('hex') }).to.deep.equal({ ...local.file, bytes: Buffer.from(local.file.bytes).toString('hex') });
        expect(a.file.facts.sourcePatientInfo[0]).to.equal('PID-5|山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P');
        expect(a.file.facts.careDate).to.equal('20240401093000');
      }
      expect([b, c, d].map((r) => (r.ok ? 'ok' : r.reason))).to.deep.equal(['bad-encoding', 'wrong-message-type', 'bad-name']);
    } finally {
      await pool.close();
    }
  });
});
