import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseStoragePath } from '../../ingest/ssmix2/fileName.ts';
import { DATA_TYPES } from '../../ingest/ssmix2/dataTypes.ts';
import { careDateOf, checkMessageType, readStoredMessage } from '../../ingest/ssmix2/storedMessage.ts';
import { generate, type GenerateOptions } from './generate.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hie-gen-'));

function files(root: string, rel = ''): string[] {
  return fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? files(root, r) : [r];
  });
}

const digest = (root: string) => {
  const h = createHash('sha1');
  for (const f of files(root).sort()) h.update(f).update(fs.readFileSync(path.join(root, f)));
  return h.digest('hex');
};

describe('synthetic SS-MIX2 generator', () => {
  const opts = (out: string): GenerateOptions => ({ facilities: 3, patients: 40, seed: 42, out, tokenKey: Buffer.from('generator-test-key-0123'), tokenAuthority: { namespace: 'MFTOKEN', oid: '2.999.392.1.1' } });

  it('writes the same trees for the same seed, and other trees for another', () => {
    const a = tmp();
    const b = tmp();
    const c = tmp();
    generate(opts(a));
    generate(opts(b));
    generate({ ...opts(c), seed: 43 });
    expect(digest(a)).to.equal(digest(b));
    expect(digest(a)).to.not.equal(digest(c));
  });

  it('names and places every file as the specification says, in ISO-2022-JP, with every data type, updates and deletions', () => {
    const out = tmp();
    const summary = generate(opts(out));
    const seen = new Set<string>();
    const conditions = new Set<number>();
    let kana = 0;
    for (const f of summary.facilities) {
      for (const rel of files(path.join(out, f.root))) {
        const name = parseStoragePath(rel);
        const bytes = fs.readFileSync(path.join(out, f.root, rel));
        expect(bytes.every((b) => b < 0x80), `${rel} is 7-bit ISO-2022-JP`).to.equal(true);
        const m = readStoredMessage(bytes);
        expect(m.charset).to.equal('iso-2022-jp');
        checkMessageType(m, name.dataType);
        if (name.careDate !== '-' && name.dataType.careDate[m.messageKey]) expect(careDateOf(m, name.dataType), rel).to.match(/^\d{8}/);
        if (/[ァ-ヴ]/.test(m.message.first('PID')!.get(5, 1, 1, 1))) kana++;
        seen.add(name.dataType.code);
        conditions.add(name.condition);
      }
    }
    expect([...seen].sort()).to.deep.equal(DATA_TYPES.map((d) => d.code).sort());
    expect([...conditions].sort()).to.deep.equal([0, 1, 2]);
    expect(kana).to.equal(summary.files);
    expect(summary.patients).to.be.greaterThan(summary.persons);
  });

  it('gives a person at several facilities the same token under different local IDs, and never writes an individual number', () => {
    const out = tmp();
    const summary = generate(opts(out));
    const byToken = new Map<string, Set<string>>();
    for (const f of summary.facilities) {
      for (const rel of files(path.join(out, f.root)).filter((x) => x.includes('/ADT-00/'))) {
        const m = readStoredMessage(fs.readFileSync(path.join(out, f.root, rel)));
        const reps = m.message.first('PID')!.reps(3);
        expect(reps.map((r) => r.get(4, 2))).to.deep.equal(['', '2.999.392.1.1']);
        expect(reps.some((r) => /^\d{12}$/.test(r.get(1))), 'no 12-digit number').to.equal(false);
        const token = reps[1].get(1);
        const set = byToken.get(token) ?? new Set();
        set.add(`${f.namespace}:${reps[0].get(1)}`);
        byToken.set(token, set);
      }
    }
    expect(byToken.size).to.equal(summary.persons);
    expect([...byToken.values()].filter((s) => s.size > 1).length).to.be.greaterThan(5);
  });
});
