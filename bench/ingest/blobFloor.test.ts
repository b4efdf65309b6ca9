import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PATIENT_DATA_TYPE } from '../../src/ingest/ssmix2/dataTypes.ts';
import { parseStoragePath } from '../../src/ingest/ssmix2/fileName.ts';
import { walkStorage } from '../../src/ingest/ssmix2/treeWalker.ts';
import { generate } from '../../src/ssmix/generator/generate.ts';
import { blobFloor } from './blobFloor.ts';

describe('bench: the blob-file floor of the SS-MIX2 ingest', () => {
  let work: string;
  before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-blobfloor-'))));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('writes every document of the tree (not ADT-00) as a blob into a new folder, timed', () => {
    const summary = generate({ facilities: 1, patients: 4, seed: 7, out: path.join(work, 'tree'), tokenKey: Buffer.from('test-token-key-0123456789'), tokenAuthority: { namespace: 'MFTOKEN', oid: '2.999.392.1.1' } });
    const root = path.join(work, 'tree', summary.facilities[0].root);
    const rels = [...walkStorage(root)].flatMap((f) => f.files);
    const documents = rels.filter((rel) => parseStoragePath(rel).dataType.code !== PATIENT_DATA_TYPE);
    expect(documents.length).to.be.greaterThan(0).and.lessThan(rels.length);
    const distinct = new Set(documents.map((rel) => fs.readFileSync(path.join(root, rel)).toString('base64'))).size;

    const blobDir = path.join(work, 'blobs');
    const r = blobFloor(root, blobDir);
    expect(r.documents).to.equal(documents.length);
    expect(r.files).to.equal(distinct);
    expect(r.seconds).to.be.greaterThan(0);
    expect(r.cpuMicros).to.be.greaterThan(0);
    expect(() => blobFloor(root, blobDir)).to.throw(/exists/);
  });
});
