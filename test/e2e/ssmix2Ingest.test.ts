import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { decodeMessage, encodeMessage } from '../../src/hl7v2/charset.ts';
import { encodeRegistryObjectList } from '../../src/ebxml/encode.ts';
import { slotValue, type ExtrinsicObject } from '../../src/ebxml/rim.ts';
import { ssmix2Ingest } from '../../src/ingest/assemble.ts';
import type { IngestReport } from '../../src/ingest/ssmix2/ingestRun.ts';
import { externalId } from '../../src/xds/registry/metadata.ts';
import { AssociationTypes, DocumentEntrySchemes, Status } from '../../src/xds/registry/schemes.ts';
import type { StoredEntry } from '../../src/xds/registry/entries.ts';
import { conformanceDir } from '../helpers/conformance.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { filesOf, samples, ssmix2ReferenceDir, writeStored, writeVersionsTree } from '../helpers/ssmix2.ts';
import { ACTIONS, expectSchemaValid, retrievedDocuments, retrieveRequest, XdsClient } from '../helpers/xds.ts';

const FACILITY = { namespace: 'HIS123', oid: '2.999.392.100.1' };
const code = (e: ExtrinsicObject, scheme: string) => {
  const c = e.classifications.find((x) => x.classificationScheme === scheme)!;
  return `${c.nodeRepresentation}^^${slotValue(c, 'codingScheme')}`;
};

describe('SS-MIX2 storage ingest (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  const run = async (root: string, readerThreads?: number): Promise<IngestReport> => {
    const facility = (await s.app.store.read((tx) => s.app.identity.domains.find(tx, FACILITY)))!;
    const runner = ssmix2Ingest(s.config, { store: s.app.store, identity: s.app.identity, audit: s.app.audit, xds: s.app.xds }, root);
    return runner.run({ root, facility, concurrency: 8, readerThreads });
  };
  const documents = () => s.app.store.read((tx) => tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [1, 2, 3, 4, 5, 6, 7, 8, 9], statuses: [Status.approved, Status.deprecated] }, 10_000));
  const retrieve = async (uniqueIds: string[]) => {
    const c = new XdsClient(s.app.ports.http!);
    const r = await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest(uniqueIds.map((u) => ({ repositoryUniqueId: s.config.xds.repository.uniqueId, documentUniqueId: u }))));
    return retrievedDocuments(r);
  };

  beforeEach(async () => {
    s = await startTestServer({ identity: { domains: [FACILITY] } as never });
  });
  afterEach(async () => {
    await s.stop();
  });

  it('takes every valid file of the reference sampleData, rejects the broken ones with their reasons, and gives back the bytes over ITI-43', async () => {
    const root = path.join(ssmix2ReferenceDir(), 'sampleData');
    const report = await run(root);
    expect(report.rejected.map((r) => `${r.path.split('/').slice(3).join('/')} ${r.reason}`)).to.deep.equal([
      '20000401/ADT-31/9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1 misplaced',
      '20000401/OMP-11/0000001_20000401_OMP-11_123456789012345_20110701113813225_01_1 unparseable',
      '20000401/OMP-11/0000001_20000401_OMP-11_123456789012346_20110701113813226_01_0 unparseable',
    ]);
    const valid = filesOf(root).filter((f) => f.startsWith('999/'));
    expect(report.counts.patients).to.equal(1);
    expect(report.counts.documents).to.equal(valid.length - 1);
    expect(report.counts.files).to.equal(filesOf(root).length);

    const docs = await documents();
    expect(docs).to.have.length(valid.length - 1);
    const person = (await s.app.store.read((tx) => tx.identity.person(docs[0].personId!)))!;
    const got = await retrieve(docs.map((d) => d.uniqueId!));
    for (const d of docs) {
      const e = d.object as ExtrinsicObject;
      const file = valid.find((f) => f.split('/')[5].split('_')[2] === code(e, DocumentEntrySchemes.typeCode).split('^')[0] && slotValue(e, 'hash') === sha1(path.join(root, f)));
      expect(file, `the file of ${d.uniqueId}`).to.be.a('string');
      const bytes = fs.readFileSync(path.join(root, file!));
      expect(got.get(d.uniqueId!)!.equals(bytes), `${file} round trip`).to.equal(true);
      expect(decodeMessage(got.get(d.uniqueId!)!, 'iso-2022-jp')).to.match(/(患者|山田)\^(太郎|花子)/).and.match(/(カンジャ|ヤマダ)/);
      const [, careDate, type, , , dept] = path.basename(file!).split('_');
      expect(e.mimeType).to.equal('x-application/hl7-v2+er7');
      expect(code(e, DocumentEntrySchemes.formatCode)).to.equal(`urn:hie:ss-mix2:1.2:${type}^^2.999.392.1.20.3`);
      expect(code(e, DocumentEntrySchemes.typeCode)).to.equal(`${type}^^2.999.392.1.20.2`);
      expect(code(e, DocumentEntrySchemes.practiceSettingCode)).to.equal(`${dept}^^2.999.392.1.20.4`);
      expect(externalId(e, DocumentEntrySchemes.patientId)).to.equal(`${person.regionalId}^^^&${s.config.identity.regional.authority.oid}&ISO`);
      expect(slotValue(e, 'sourcePatientId')).to.equal(`9999013^^^&${FACILITY.oid}&ISO`);
      if (careDate === '-') expect(slotValue(e, 'serviceStartTime')).to.equal(undefined);
      else expect(slotValue(e, 'serviceStartTime'), file).to.match(/^\d{8,14}$/);
    }
    const omp01 = docs.find((d) => code(d.object as ExtrinsicObject, DocumentEntrySchemes.typeCode).startsWith('OMP-01^'))!;
    // ORC-9 20110701103045 JST is 01:30:45 UTC.
    expect(slotValue(omp01.object, 'serviceStartTime')).to.equal('20110701013045');
    expect(code(omp01.object as ExtrinsicObject, DocumentEntrySchemes.classCode)).to.equal('medication-order^^2.999.392.1.20.1');

    // The metadata as registered is valid ebRIM.
    const sets = await s.app.store.read((tx) => tx.registry.findEntries({ kind: 'SubmissionSet', personIds: [person.id], statuses: [Status.approved] }, 100));
    expectSchemaValid([
      `<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">${encodeRegistryObjectList([...docs, ...sets].map((x) => x.object))}</lcm:SubmitObjectsRequest>`,
    ]);

    // ADT-00 audited as ITI-8 (Patient Record), each submission as ITI-41 (Import): valid DICOM audit messages.
    const iti8 = await s.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-8' }));
    const iti41 = await s.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-41' }));
    expect(iti8).to.have.length(1);
    expect(iti41.length).to.be.greaterThan(0);
    expectSchemaValid([...iti8, ...iti41].map((e) => e.xml), path.join(conformanceDir(), 'schemas', 'atna', 'dicom2017c.xsd'));

    // A second run takes nothing again.
    const again = await run(root);
    expect(again.counts).to.include({ unchanged: valid.length, documents: 0, patients: 0, rejected: 3 });
    expect(await documents()).to.have.length(valid.length - 1);
  });

  it('rejects bytes that are not ISO-2022-JP, and a patient no ADT-00 registered', async () => {
    const root = tempDir('hie-ssmix-');
    writeStored(root, '1234567_-_ADT-00_999999999999999_20240401101500000_-_1', samples.adt00('1234567'));
    const bad = fs.readFileSync(path.join(ssmix2ReferenceDir(), 'sampleData/000/000/0000001/20000401/ADT-31/9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1'));
    writeStored(root, '1234567_20240401_OMP-01_1_20240401101500000_01_1', bad);
    writeStored(root, '7654321_20240401_OMP-01_2_20240401101500000_01_1', samples.rde('7654321', '2'));
    fs.writeFileSync(path.join(root, '123', 'stray.txt'), 'x');
    const report = await run(root);
    expect(report.rejected.map((r) => `${r.path} ${r.reason}`)).to.deep.equal([
      '123/456/1234567/20240401/OMP-01/1234567_20240401_OMP-01_1_20240401101500000_01_1 bad-encoding',
      '123/stray.txt misplaced',
      '765/432/7654321/20240401/OMP-01/7654321_20240401_OMP-01_2_20240401101500000_01_1 unknown-patient',
    ]);
    expect(report.counts).to.include({ patients: 1, documents: 0, rejected: 3, files: 4 });
  });

  it('rejects an ADT-00 whose JIS run does not return to ASCII, storing no patient (its birth date and sex would be lost)', async () => {
    const root = tempDir('hie-ssmix-');
    const jis = encodeMessage(samples.adt00('2345678', '山田^太郎'), 'iso-2022-jp').toString('latin1');
    const broken = Buffer.from(jis.replace('\x1b(B||19650415', '||19650415'), 'latin1');
    expect(new TextDecoder('iso-2022-jp', { fatal: true }).decode(broken), 'a decoder alone takes it, garbled').to.not.contain('19650415');
    writeStored(root, '2345678_-_ADT-00_999999999999999_20240401101500000_-_1', broken);
    const report = await run(root);
    expect(report.rejected.map((r) => `${r.path} ${r.reason}`)).to.deep.equal(['234/567/2345678/-/ADT-00/2345678_-_ADT-00_999999999999999_20240401101500000_-_1 bad-encoding']);
    expect(report.rejected[0].detail).to.match(/does not return to ASCII/);
    expect(report.counts).to.include({ patients: 0, rejected: 1 });
    const facility = (await s.app.store.read((tx) => s.app.identity.domains.find(tx, FACILITY)))!;
    expect(await s.app.store.read((tx) => tx.identity.record(facility.key, '2345678'))).to.equal(undefined);
  });

  it('rejects an ADT-00 whose birth date is no date, or whose identifier holds a NUL, storing no patient', async () => {
    const root = tempDir('hie-ssmix-');
    writeStored(root, '3456789_-_ADT-00_999999999999999_20240401101500000_-_1', samples.adt00('3456789').replace('|19650415|', '|99999999|'));
    writeStored(root, '4567890_-_ADT-00_999999999999999_20240401101500000_-_1', samples.adt00('4567890', undefined, '~X\x00Y^^^HOSP&1.2.3&ISO'));
    const report = await run(root);
    expect(report.rejected.map((r) => `${r.path.split('/').pop()} ${r.reason} ${r.detail}`)).to.deep.equal([
      '3456789_-_ADT-00_999999999999999_20240401101500000_-_1 unparseable ADT-00 PID-7 date/time of birth is not a valid date',
      '4567890_-_ADT-00_999999999999999_20240401101500000_-_1 unparseable a control character in PID^1^3^2^1',
    ]);
    expect(report.counts).to.include({ patients: 0, rejected: 2 });
  });

  it('replaces a superseded version (RPLC, the old one Deprecated) and deprecates deleted data', async () => {
    const root = tempDir('hie-ssmix-');
    writeVersionsTree(root);
    const first = await run(root);
    expect(first.counts).to.include({ documents: 3, replacing: 1, deprecated: 0, rejected: 0 });
    writeStored(root, '1234567_20240401_OMP-01_200_20240402090000000_01_0', samples.rde('1234567', '200', undefined, '20240402090000'));
    const second = await run(root);
    expect(second.counts).to.include({ documents: 1, replacing: 1, deprecated: 1, unchanged: 4 });

    const docs = await documents();
    const orderOf = (d: StoredEntry) => fileOfHash(root, d.hash!).split('_')[3];
    const v100 = docs.filter((d) => orderOf(d) === '100');
    const statuses = (list: StoredEntry[]) => list.map((d) => `${fileOfHash(root, d.hash!).split('_')[4]} ${d.status.split(':').pop()}`).sort();
    expect(statuses(v100)).to.deep.equal(['20240401101500000 Deprecated', '20240401111500000 Approved']);
    expect(statuses(docs.filter((d) => orderOf(d) === '200'))).to.deep.equal(['20240401101500000 Deprecated', '20240402090000000 Deprecated']);
    const newest = v100.find((d) => d.status === Status.approved)!;
    const rplc = await s.app.store.read((tx) => tx.registry.associations({ sources: [newest.uuid], types: [AssociationTypes.rplc] }, 10));
    expect(rplc.map((a) => (a.object as { targetObject: string }).targetObject)).to.deep.equal(v100.filter((d) => d !== newest).map((d) => d.uuid));
  });

  it('removes the document of deleted data when config says remove (ITI-62), keeping the older versions', async () => {
    await s.stop();
    s = await startTestServer({ identity: { domains: [FACILITY] }, ingest: { ssmix2: { deleted: 'remove' } } } as never);
    const root = tempDir('hie-ssmix-');
    writeVersionsTree(root);
    await run(root);
    writeStored(root, '1234567_20240401_OMP-01_100_20240402090000000_01_0', samples.rde('1234567', '100', undefined, '20240402090000'));
    const report = await run(root);
    expect(report.counts).to.include({ removed: 1, documents: 0, rejected: 0 });
    const docs = await documents();
    expect(docs.map((d) => `${fileOfHash(root, d.hash!).split('_').slice(3, 5).join('_')} ${d.status.split(':').pop()}`).sort()).to.deep.equal([
      '100_20240401101500000 Deprecated',
      '200_20240401101500000 Approved',
    ]);
    const orphans = await s.app.store.read((tx) => tx.registry.associations({ either: docs.map((d) => d.uuid) }, 100));
    expect(orphans.every((a) => docs.some((d) => d.uuid === (a.object as { targetObject: string }).targetObject)), 'no association left to the removed entry').to.equal(true);
  });

  it('with reader threads staging the bytes: the same documents, and no blob left for a file not registered', async () => {
    const root = tempDir('hie-ssmix-');
    writeVersionsTree(root, { unknownPatient: true });
    const report = await run(root, 1);
    expect(report.counts).to.include({ patients: 1, documents: 3, replacing: 1, rejected: 1 });
    expect(report.rejected[0].reason).to.equal('unknown-patient');
    const blobs = filesOf(s.app.xds.repository.blobs.dir).filter((f) => !f.includes('.tmp'));
    const docs = await documents();
    expect(blobs.map((f) => path.basename(f)).sort(), 'one blob per registered document, none for the rejected file').to.deep.equal(docs.map((d) => d.hash!).sort());
    const got = await retrieve(docs.map((d) => d.uniqueId!));
    for (const d of docs) expect(createHash('sha1').update(got.get(d.uniqueId!)!).digest('hex')).to.equal(d.hash);
  });

  it('records a file found registered (a lost checkpoint) without registering it again', async () => {
    const root = tempDir('hie-ssmix-');
    writeStored(root, '1234567_-_ADT-00_999999999999999_20240401101500000_-_1', samples.adt00('1234567'));
    writeStored(root, '1234567_20240401_OMP-01_100_20240401101500000_01_1', samples.rde('1234567', '100'));
    await run(root);
    await s.app.store.write(async (tx) => {
      for (const f of filesOf(root)) {
        const item = (await tx.ingest.ingestItem(FACILITY.oid, f))!;
        await tx.ingest.putIngestItem({ ...item, size: -1, sha1: '0'.repeat(40) });
      }
    });
    const again = await run(root);
    expect(again.counts).to.include({ documents: 0, alreadyRegistered: 1, patients: 1 });
    expect(await documents()).to.have.length(1);
  });
});

function sha1(file: string): string {
  return createHash('sha1').update(fs.readFileSync(file)).digest('hex');
}

function fileOfHash(root: string, hash: string): string {
  const f = filesOf(root).find((x) => sha1(path.join(root, x)) === hash);
  if (!f) throw new Error(`no file with hash ${hash}`);
  return path.basename(f);
}
