import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PATIENT_DATA_TYPE } from '../../src/ingest/ssmix2/dataTypes.ts';
import { parseStoragePath } from '../../src/ingest/ssmix2/fileName.ts';
import { walkStorage } from '../../src/ingest/ssmix2/treeWalker.ts';
import { validate } from '../../src/server/config/load.ts';
import { generate } from '../../src/ssmix/generator/generate.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { captureStatements, type StatementCall } from '../storeFloor.ts';
import { pipelineFloor } from './pipelineFloor.ts';

describe('bench: the pipeline floor of the SS-MIX2 ingest', () => {
  let work: string;
  before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-pipelinefloor-'))));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('reads every file and writes its blob on a reader thread while the statements are replayed', async () => {
    const summary = generate({ facilities: 1, patients: 4, seed: 7, out: path.join(work, 'tree'), tokenKey: Buffer.from('test-token-key-0123456789'), tokenAuthority: { namespace: 'MFTOKEN', oid: '2.999.392.1.1' } });
    const root = path.join(work, 'tree', summary.facilities[0].root);
    const rels = [...walkStorage(root)].flatMap((f) => f.files);
    const documents = new Set(rels.filter((rel) => parseStoragePath(rel).dataType.code !== PATIENT_DATA_TYPE).map((rel) => fs.readFileSync(path.join(root, rel)).toString('base64')));

    // Units to replay: three audit events written through the store.
    const file = path.join(work, 'hie.db');
    await new SqliteStore({ path: file }).close();
    const baseFile = path.join(work, 'base.db');
    fs.copyFileSync(file, baseFile);
    const store = new SqliteStore({ path: file });
    const units: StatementCall[][] = [];
    try {
      for (let n = 0; n < 3; n++) {
        const { calls } = await captureStatements(() => store.write((tx) => tx.audit.appendAudit({ eventTime: '2024-01-01T00:00:00Z', eventId: '110110', eventTypeCode: 'ITI-8', action: 'C', outcome: 0, origin: 'self', xml: `<AuditMessage n="${n}"/>`, patientIds: [] })));
        units.push(calls);
      }
    } finally {
      await store.close();
    }

    const config = validate({ dataDir: path.join(work, 'var'), identity: { token: { issuerKey: 'test-issuer-key-0123456789abcdef' } } });
    const blobDir = path.join(work, 'blobs');
    const p = await pipelineFloor({ root, identity: config.identity, blobDir }, { baseFile, units, options: { perCommit: 2, synchronous: 'OFF', reads: true, warmup: 0 } });
    expect(p.files).to.equal(rels.length);
    expect(p.reader).to.include({ files: rels.length, rejected: 0 });
    expect(p.replay.rows.audit_events).to.equal(3);
    expect(p.seconds).to.equal(Math.max(p.reader.seconds, p.replay.seconds)).and.greaterThan(0);
    expect(p.cpuMicros).to.be.greaterThan(0);
    const blobs = fs.readdirSync(blobDir).flatMap((sub) => fs.readdirSync(path.join(blobDir, sub)).map((f) => fs.readFileSync(path.join(blobDir, sub, f)).toString('base64')));
    expect(new Set(blobs)).to.deep.equal(documents);
  });
});
