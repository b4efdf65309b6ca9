import { expect } from 'chai';
import { affinityPid, HOSP_A, readFixture, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { NIST_AFFINITY } from '../../../test/helpers/xds.ts';
import type { RegistryObject, Slot } from '../../ebxml/rim.ts';
import { XdsError } from '../registry/errors.ts';
import { AffinityDomainResolver } from './patientResolver.ts';
import { StoredQueryRunner } from './runner.ts';
import { STORED_QUERIES } from './storedQueries.ts';

const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
const RPLC = 'urn:ihe:iti:2007:AssociationType:RPLC';
const Q = Object.fromEntries(STORED_QUERIES.map((q) => [q.name, q.id]));
const quoted = (v: string) => `'${v.replace(/'/g, "''")}'`;
const params = (p: Record<string, string | string[]>): Slot[] =>
  Object.entries(p).map(([name, v]) => ({ name, values: [Array.isArray(v) ? `(${v.map(quoted).join(',')})` : quoted(v)] }));

describe('the stored-query service under consent', () => {
  let f: ReadFixture;
  let runner: StoredQueryRunner;
  let docs: { uuid: string; uniqueId: string }[];
  let ssUuid: string;
  let folderUuid: string;
  let person: number;
  const run = async (query: string, p: Record<string, string | string[]>, returnType: 'LeafClass' | 'ObjectRef' = 'LeafClass') => (await f.read((r) => runner.run(r, { queryId: Q[query], parameters: params(p), returnType }))).objects;
  const ids = (objects: RegistryObject[]) => objects.map((o) => o.id);
  const hide = (i: number) => f.decisions.hiddenDocuments.add(docs[i].uniqueId);

  before(async () => {
    f = await readFixture();
    person = await f.patient('RQ-1', [{ authority: HOSP_A, id: 'RQ-L1' }]);
    await f.patient('RQ-2');
    const spec = await f.submit({ patientId: affinityPid('RQ-1'), docs: [{ referenceIds: ['R1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:accession'] }, {}, {}], folder: {} }, HOSP_A.oid);
    docs = await Promise.all(spec.docs.map(async (d) => ({ uuid: (await f.entry(d.uniqueId!)).uuid, uniqueId: d.uniqueId! })));
    const [ss] = await f.store.read((tx) => tx.registry.entriesByUniqueId('SubmissionSet', [spec.submissionSetUniqueId!]));
    const [folder] = await f.store.read((tx) => tx.registry.entriesByUniqueId('Folder', [(spec.folder as { uniqueId: string }).uniqueId]));
    ssUuid = ss.uuid;
    folderUuid = folder.uuid;
    // A replacement of the first document by a fourth: an RPLC association between the two.
    await f.submit({ patientId: affinityPid('RQ-1'), docs: [{ id: 'Replacement' }], associations: [`<rim:Association xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" id="urn:uuid:0d8b2f8e-6a53-4f0e-9c55-3f1fd0c0a001" associationType="${RPLC}" sourceObject="Replacement" targetObject="${docs[0].uuid}"/>`] }, HOSP_A.oid).then(async (s) => {
      docs.push({ uuid: (await f.entry(s.docs[0].uniqueId!)).uuid, uniqueId: s.docs[0].uniqueId! });
    });
  });
  beforeEach(() => {
    runner = new StoredQueryRunner(new AffinityDomainResolver(NIST_AFFINITY), 100);
    f.decisions.hiddenDocuments.clear();
    f.decisions.hiddenPatients.clear();
  });
  after(() => f?.close());

  const find = (extra: Record<string, string | string[]> = {}) => run('FindDocuments', { $XDSDocumentEntryPatientId: affinityPid('RQ-1'), $XDSDocumentEntryStatus: [APPROVED], ...extra });

  it('FindDocuments and FindDocumentsByReferenceId: a withheld document is not in the results', async () => {
    expect(await find()).to.have.length(3, 'the replaced one is Deprecated');
    hide(1);
    expect(ids(await find())).to.deep.equal([docs[2].uuid, docs[3].uuid]);
    const byRef = (await run('FindDocumentsByReferenceId', { $XDSDocumentEntryPatientId: affinityPid('RQ-1'), $XDSDocumentEntryStatus: [APPROVED, 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated'], $XDSDocumentEntryReferenceIdList: ['R1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:accession'] }));
    expect(ids(byRef)).to.deep.equal([docs[0].uuid]);
    hide(0);
    expect(await run('FindDocumentsByReferenceId', { $XDSDocumentEntryPatientId: affinityPid('RQ-1'), $XDSDocumentEntryStatus: [APPROVED, 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated'], $XDSDocumentEntryReferenceIdList: ['R1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:accession'] })).to.deep.equal([]);
  });

  it('counts visible objects only for XDSTooManyResults, reading on past withheld rows', async () => {
    runner = new StoredQueryRunner(new AffinityDomainResolver(NIST_AFFINITY), 2);
    const err = await find().catch((e) => e);
    expect(err).to.be.instanceOf(XdsError).and.to.include({ errorCode: 'XDSTooManyResults' });
    hide(1);
    expect(ids(await find())).to.deep.equal([docs[2].uuid, docs[3].uuid]);
  });

  it('answers a patient the requester may not see as an unknown patient: success, nothing', async () => {
    f.decisions.hiddenPatients.add(person);
    for (const [q, p] of [
      ['FindDocuments', { $XDSDocumentEntryPatientId: affinityPid('RQ-1'), $XDSDocumentEntryStatus: [APPROVED] }],
      ['FindSubmissionSets', { $XDSSubmissionSetPatientId: affinityPid('RQ-1'), $XDSSubmissionSetStatus: [APPROVED] }],
      ['FindFolders', { $XDSFolderPatientId: affinityPid('RQ-1'), $XDSFolderStatus: [APPROVED] }],
      ['GetAll', { $patientId: affinityPid('RQ-1'), $XDSDocumentEntryStatus: [APPROVED], $XDSSubmissionSetStatus: [APPROVED], $XDSFolderStatus: [APPROVED] }],
      ['GetDocuments', { $XDSDocumentEntryUniqueId: docs.map((d) => d.uniqueId) }],
      ['GetSubmissionSetAndContents', { $XDSSubmissionSetEntryUUID: ssUuid }],
      ['GetFolderAndContents', { $XDSFolderEntryUUID: folderUuid }],
      ['GetAssociations', { $uuid: docs.map((d) => d.uuid) }],
    ] as const) {
      expect(await run(q, p as Record<string, string | string[]>), q).to.deep.equal([]);
    }
    const unknown = await f.read((r) => runner.run(r, { queryId: Q.FindDocuments, parameters: params({ $XDSDocumentEntryPatientId: affinityPid('RQ-404'), $XDSDocumentEntryStatus: [APPROVED] }), returnType: 'LeafClass' }));
    const hidden = await f.read((r) => runner.run(r, { queryId: Q.FindDocuments, parameters: params({ $XDSDocumentEntryPatientId: affinityPid('RQ-1'), $XDSDocumentEntryStatus: [APPROVED] }), returnType: 'LeafClass' }));
    expect(hidden.objects).to.deep.equal(unknown.objects);
  });

  it('GetAll, GetSubmissionSetAndContents, GetFolderAndContents: no withheld document, no association to it', async () => {
    hide(1);
    const assocTo = (objects: RegistryObject[], uuid: string) => objects.filter((o) => o.type === 'Association' && (o.targetObject === uuid || o.sourceObject === uuid));
    const all = await run('GetAll', { $patientId: affinityPid('RQ-1'), $XDSDocumentEntryStatus: [APPROVED], $XDSSubmissionSetStatus: [APPROVED], $XDSFolderStatus: [APPROVED] });
    const set = await run('GetSubmissionSetAndContents', { $XDSSubmissionSetEntryUUID: ssUuid, $XDSDocumentEntryStatus: [APPROVED] });
    const folder = await run('GetFolderAndContents', { $XDSFolderEntryUUID: folderUuid, $XDSDocumentEntryStatus: [APPROVED] });
    for (const [name, objects] of [['GetAll', all], ['GetSubmissionSetAndContents', set], ['GetFolderAndContents', folder]] as const) {
      expect(ids(objects), name).to.not.include(docs[1].uuid);
      expect(assocTo(objects, docs[1].uuid), name).to.deep.equal([]);
      expect(ids(objects), name).to.include(docs[2].uuid);
    }
    expect(ids(set)).to.include(ssUuid);
    expect(ids(folder)).to.include(folderUuid);
  });

  it('GetDocuments, GetDocumentsAndAssociations, GetAssociations, GetFoldersForDocument, GetSubmissionSets: a withheld document does not exist', async () => {
    hide(1);
    const uuid = docs[1].uuid;
    expect(ids(await run('GetDocuments', { $XDSDocumentEntryEntryUUID: [uuid, docs[2].uuid] }))).to.deep.equal([docs[2].uuid]);
    expect(await run('GetDocumentsAndAssociations', { $XDSDocumentEntryUniqueId: [docs[1].uniqueId] })).to.deep.equal([]);
    expect(await run('GetAssociations', { $uuid: [uuid] })).to.deep.equal([]);
    expect(await run('GetFoldersForDocument', { $XDSDocumentEntryEntryUUID: uuid })).to.deep.equal([]);
    expect(await run('GetSubmissionSets', { $uuid: [uuid] })).to.deep.equal([]);
    expect(ids(await run('GetFoldersForDocument', { $XDSDocumentEntryEntryUUID: docs[2].uuid }))).to.deep.equal([folderUuid]);
    expect(ids(await run('GetSubmissionSets', { $uuid: [docs[2].uuid] }))).to.include(ssUuid);
  });

  it('GetRelatedDocuments: a relation to a withheld document is not there, from either end', async () => {
    const related = await run('GetRelatedDocuments', { $XDSDocumentEntryEntryUUID: docs[3].uuid, $AssociationTypes: [RPLC] });
    expect(ids(related)).to.include(docs[0].uuid);
    hide(0);
    expect(await run('GetRelatedDocuments', { $XDSDocumentEntryEntryUUID: docs[3].uuid, $AssociationTypes: [RPLC] })).to.deep.equal([]);
    expect(await run('GetRelatedDocuments', { $XDSDocumentEntryEntryUUID: docs[0].uuid, $AssociationTypes: [RPLC] })).to.deep.equal([]);
  });

  it('FindSubmissionSets and FindFolders follow the patient’s visibility; GetFolders too', async () => {
    hide(0);
    hide(1);
    hide(2);
    expect(ids(await run('FindSubmissionSets', { $XDSSubmissionSetPatientId: affinityPid('RQ-1'), $XDSSubmissionSetStatus: [APPROVED] }))).to.include(ssUuid);
    expect(ids(await run('FindFolders', { $XDSFolderPatientId: affinityPid('RQ-1'), $XDSFolderStatus: [APPROVED] }))).to.deep.equal([folderUuid]);
    f.decisions.hiddenPatients.add(person);
    expect(await run('GetFolders', { $XDSFolderEntryUUID: [folderUuid] })).to.deep.equal([]);
  });

  it('refuses an unknown stored query before reading its parameters', async () => {
    const err = await f.read((r) => runner.run(r, { queryId: 'urn:uuid:00000000-0000-0000-0000-000000000000', parameters: [{ name: '$x', values: ['not a value'] }], returnType: 'LeafClass' })).catch((e) => e);
    expect(err).to.be.instanceOf(XdsError).and.to.include({ errorCode: 'XDSUnknownStoredQuery' });
  });
});
