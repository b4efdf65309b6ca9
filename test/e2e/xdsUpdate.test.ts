/**
 * ITI-57 Update Document Set and ITI-62 Remove Metadata against the real server over HTTP: new
 * versions under the same logical id, PreviousVersion, status changes, Folder updates, associations
 * added later, every error code of the Metadata Update and RMD rules, all or nothing, the audits, and
 * every reply valid against the standard schemas.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { TestServer } from '../helpers/hieServer.ts';
import { ACTIONS, XdsClient, errorCodes, expectFailure, expectSchemaValid, expectSuccess, pid, registryResponseOf, ReplyLog, startXdsServer } from '../helpers/xds.ts';
import { APPROVED, DEPRECATED, findDocuments, idsOf, QUERY, storedQuery } from '../helpers/xdsQuery.ts';
import { removeObjectsRequest, submitObjectsRequest, uniqueOid, updateStatusXml, type DocSpec, type SubmissionSpec } from '../helpers/xdsMetadata.ts';

const HAS_MEMBER = 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember';
const uuid = () => `urn:uuid:${randomUUID()}`;

describe('XDS.b ITI-57 Update Document Set and ITI-62 Remove Metadata (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let c: XdsClient;
  const log = new ReplyLog();

  before(async () => {
    ({ s, c } = await startXdsServer(['P57-1', 'P57-2', 'P57-3']));
  });
  after(async () => {
    await s?.stop();
  });

  const update = async (spec: SubmissionSpec) => log.add(await c.soap(c.registryPath, ACTIONS.iti57, submitObjectsRequest(spec)));
  const remove = async (uuids: string[]) => log.add(await c.soap(c.registryPath, ACTIONS.iti62, removeObjectsRequest(uuids)));
  const versions = (lid: string) => s.app.store.read((tx) => tx.registry.entriesByLid([lid]));
  const entry = async (id: string) => (await s.app.store.read((tx) => tx.registry.entries([id])))[0];
  const membersOf = (folder: string) => s.app.store.read((tx) => tx.registry.associations({ sources: [folder], types: [HAS_MEMBER] }, 1000));

  /** Registers a document (with a known entryUUID) in a folder; returns the ids. */
  async function registerDoc(patient: string, doc: Partial<DocSpec> = {}) {
    const id = uuid();
    const folder = uuid();
    const spec: SubmissionSpec = { patientId: pid(patient), docs: [{ id, content: Buffer.from(`v1 ${id}`), ...doc }], folder: { id: folder } };
    expectSuccess(log.add(await c.register(submitObjectsRequest(spec))));
    return { id, folder, uniqueId: spec.docs[0].uniqueId!, folderUniqueId: (spec.folder as { uniqueId: string }).uniqueId, content: spec.docs[0].content! };
  }

  /** A new version of a registered document: same uniqueId and content, another title. */
  const newVersion = (patient: string, d: { id: string; uniqueId: string; content: Buffer }, extra: Partial<DocSpec> = {}): SubmissionSpec => ({
    patientId: pid(patient),
    docs: [{ id: 'Document01', lid: d.id, uniqueId: d.uniqueId, content: d.content, previousVersion: 1, title: '更新された表題', ...extra }],
  });

  describe('ITI-57 Update DocumentEntry metadata', () => {
    it('registers version 2 under the same lid, deprecates version 1, and propagates the folder membership', async () => {
      const d = await registerDoc('P57-1');
      const folderBefore = (await entry(d.folder)).object.slots.find((x) => x.name === 'lastUpdateTime')!.values[0];
      const r = await update(newVersion('P57-1', d));
      expectSuccess(r);
      const header = r.envelope.children.find((x) => x.local === 'Header')!;
      expect(header.children.find((x) => x.local === 'Action')!.text).to.equal('urn:ihe:iti:2010:UpdateDocumentSetResponse');
      const all = await versions(d.id);
      expect(all.map((v) => [v.version, v.status])).to.deep.equal([
        [1, DEPRECATED],
        [2, APPROVED],
      ]);
      const v2 = all[1];
      expect(v2.uuid).to.not.equal(d.id);
      expect(v2.object.lid).to.equal(d.id);
      expect(v2.object.versionName).to.equal('2');
      expect(v2.object.name[0].value).to.equal('更新された表題');
      // FindDocuments (Approved) finds only the new version, with its lid and VersionInfo.
      const found = log.add(await c.query(findDocuments(pid('P57-1'))));
      const eos = found.body.children.find((x) => x.local === 'RegistryObjectList')!.children.filter((x) => x.attrs.lid === d.id);
      expect(eos.map((x) => x.attrs.id)).to.deep.equal([v2.uuid]);
      expect(eos[0].children.find((x) => x.local === 'VersionInfo')!.attrs.versionName).to.equal('2');
      // Association propagation: the folder now holds version 2 too, and its lastUpdateTime moved.
      const members = (await membersOf(d.folder)).map((m) => (m.object as { targetObject: string }).targetObject);
      expect(members).to.include.members([d.id, v2.uuid]);
      const folderAfter = (await entry(d.folder)).object.slots.find((x) => x.name === 'lastUpdateTime')!.values[0];
      expect(folderAfter >= folderBefore).to.equal(true);
    });

    it('AssociationPropagation no: the folder keeps only the previous version', async () => {
      const d = await registerDoc('P57-1');
      expectSuccess(await update(newVersion('P57-1', d, { associationPropagation: 'no' })));
      const v2 = (await versions(d.id))[1];
      const members = (await membersOf(d.folder)).map((m) => (m.object as { targetObject: string }).targetObject);
      expect(members).to.deep.equal([d.id]);
      expect(v2.version).to.equal(2);
    });

    it('XDSMetadataVersionError when PreviousVersion is not the latest version; nothing changes', async () => {
      const d = await registerDoc('P57-1');
      expectSuccess(await update(newVersion('P57-1', d)));
      expectFailure(await update(newVersion('P57-1', d)), 'XDSMetadataVersionError');
      expect((await versions(d.id)).map((v) => v.version)).to.deep.equal([1, 2]);
      expectSuccess(await update(newVersion('P57-1', d, { previousVersion: 2 })));
      expect((await versions(d.id)).map((v) => [v.version, v.status])).to.deep.equal([
        [1, DEPRECATED],
        [2, DEPRECATED],
        [3, APPROVED],
      ]);
    });

    it('XDSMetadataIdentifierError for another uniqueId, XDSPatientIDReconciliationError for another patient', async () => {
      const d = await registerDoc('P57-1');
      expectFailure(await update(newVersion('P57-1', d, { uniqueId: uniqueOid() })), 'XDSMetadataIdentifierError');
      expectFailure(await update(newVersion('P57-2', d)), 'XDSPatientIDReconciliationError');
      expect(await versions(d.id)).to.have.length(1);
    });

    it('XDSMetadataUpdateError for an unknown lid, an initial version, a missing PreviousVersion, a changed hash', async () => {
      const d = await registerDoc('P57-1');
      expectFailure(await update(newVersion('P57-1', { ...d, id: uuid() })), 'XDSMetadataUpdateError');
      expectFailure(await update({ patientId: pid('P57-1'), docs: [{ uniqueId: d.uniqueId, content: d.content, previousVersion: 1 }] }), 'XDSMetadataUpdateError');
      expectFailure(await update(newVersion('P57-1', d, { previousVersion: undefined })), 'XDSMetadataUpdateError');
      expectFailure(await update(newVersion('P57-1', d, { content: Buffer.from('other bytes') })), 'XDSMetadataUpdateError');
      expect(await versions(d.id)).to.have.length(1);
    });

    it('XDSUnknownPatientId for a patient never fed', async () => {
      const d = await registerDoc('P57-1');
      expectFailure(await update({ patientId: pid('NEVER-57'), docs: [{ id: 'Document01', lid: d.id, uniqueId: d.uniqueId, content: d.content, previousVersion: 1 }] }), 'XDSUnknownPatientId');
    });

    it('ITI-42 refuses a new version (lid other than id): that is ITI-57 only', async () => {
      const d = await registerDoc('P57-1');
      expectFailure(log.add(await c.register(submitObjectsRequest(newVersion('P57-1', d)))), 'XDSRegistryMetadataError');
      expect(await versions(d.id)).to.have.length(1);
    });
  });

  describe('ITI-57 Update availabilityStatus', () => {
    it('deprecates and re-approves the latest DocumentEntry version', async () => {
      const d = await registerDoc('P57-3');
      expectSuccess(await update({ patientId: pid('P57-3'), docs: [], associations: [updateStatusXml(d.id, 'Approved', 'Deprecated')] }));
      expect((await entry(d.id)).status).to.equal(DEPRECATED);
      const none = log.add(await c.query(findDocuments(pid('P57-3'))));
      expect(idsOf(none)).to.not.include(d.id);
      expectSuccess(await update({ patientId: pid('P57-3'), docs: [], associations: [updateStatusXml(d.id, 'Deprecated', 'Approved')] }));
      expect((await entry(d.id)).status).to.equal(APPROVED);
    });

    it('XDSMetadataUpdateError for a wrong OriginalStatus, a NewStatus not allowed, or a version that is not the latest', async () => {
      const d = await registerDoc('P57-3');
      expectFailure(await update({ patientId: pid('P57-3'), docs: [], associations: [updateStatusXml(d.id, 'Deprecated', 'Approved')] }), 'XDSMetadataUpdateError');
      expectFailure(await update({ patientId: pid('P57-3'), docs: [], associations: [updateStatusXml(d.id, 'Approved', 'Submitted')] }), 'XDSMetadataUpdateError');
      expectSuccess(await update(newVersion('P57-3', d)));
      expectFailure(await update({ patientId: pid('P57-3'), docs: [], associations: [updateStatusXml(d.id, 'Deprecated', 'Approved')] }), 'XDSMetadataUpdateError');
    });

    it('a new version and its status change in one request: the new version gets the new status, the previous one is deprecated', async () => {
      const d = await registerDoc('P57-3');
      expectSuccess(await update({ ...newVersion('P57-3', d), associations: [updateStatusXml('Document01', 'Approved', 'Deprecated')] }));
      expect((await versions(d.id)).map((v) => [v.version, v.status])).to.deep.equal([
        [1, DEPRECATED],
        [2, DEPRECATED],
      ]);
    });

    it('XDSPatientIdDoesNotMatch for a document of another patient; UnresolvedReferenceException for an unknown one', async () => {
      const d = await registerDoc('P57-2');
      expectFailure(await update({ patientId: pid('P57-3'), docs: [], associations: [updateStatusXml(d.id, 'Approved', 'Deprecated')] }), 'XDSPatientIdDoesNotMatch');
      expectFailure(await update({ patientId: pid('P57-3'), docs: [], associations: [updateStatusXml(uuid(), 'Approved', 'Deprecated')] }), 'UnresolvedReferenceException');
      expect((await entry(d.id)).status).to.equal(APPROVED);
    });

    it('deprecates a folder membership (FD-DE HasMember): GetFolderAndContents no longer lists the document', async () => {
      const d = await registerDoc('P57-3');
      const [fdde] = (await membersOf(d.folder)).filter((m) => (m.object as { targetObject: string }).targetObject === d.id);
      expectSuccess(await update({ patientId: pid('P57-3'), docs: [], associations: [updateStatusXml(fdde.uuid, 'Approved', 'Deprecated')] }));
      const r = log.add(await c.query(storedQuery(QUERY.GetFolderAndContents, { $XDSFolderEntryUUID: d.folder })));
      expect(idsOf(r)).to.include(d.folder).and.not.include(d.id);
    });
  });

  describe('ITI-57 Folder update and added associations', () => {
    it('registers version 2 of a Folder with its members propagated, and refuses another uniqueId', async () => {
      const d = await registerDoc('P57-2');
      const r = await update({ patientId: pid('P57-2'), docs: [], folder: { id: 'Folder01', lid: d.folder, uniqueId: d.folderUniqueId, previousVersion: 1 } });
      expectSuccess(r);
      const all = await versions(d.folder);
      expect(all.map((v) => [v.version, v.status])).to.deep.equal([
        [1, DEPRECATED],
        [2, APPROVED],
      ]);
      expect((await membersOf(all[1].uuid)).map((m) => (m.object as { targetObject: string }).targetObject)).to.deep.equal([d.id]);
      expectFailure(await update({ patientId: pid('P57-2'), docs: [], folder: { id: 'Folder01', lid: d.folder, uniqueId: uniqueOid(), previousVersion: 2 } }), 'XDSMetadataIdentifierError');
      expectFailure(await update({ patientId: pid('P57-2'), docs: [], folder: { id: 'Folder01', lid: d.folder, uniqueId: d.folderUniqueId, previousVersion: 1 } }), 'XDSMetadataVersionError');
    });

    it('adds a registered document to a registered folder with SubmitAssociation, once', async () => {
      const a = await registerDoc('P57-2');
      const b = await registerDoc('P57-2');
      const add = () => ({
        patientId: pid('P57-2'),
        docs: [],
        associations: [
          `<rim:Association id="fdde" associationType="${HAS_MEMBER}" sourceObject="${a.folder}" targetObject="${b.id}"/>`,
          `<rim:Association id="submit" associationType="urn:ihe:iti:2010:AssociationType:SubmitAssociation" sourceObject="SubmissionSet01" targetObject="fdde"/>`,
        ],
      });
      expectSuccess(await update(add()));
      expect((await membersOf(a.folder)).map((m) => (m.object as { targetObject: string }).targetObject)).to.include(b.id);
      expectFailure(await update(add()), 'XDSMetadataUpdateError');
    });

    it('XDSMetadataUpdateOperationError for a request with no operation, or an association that is none', async () => {
      const a = await registerDoc('P57-2');
      expectFailure(await update({ patientId: pid('P57-2'), docs: [] }), 'XDSMetadataUpdateOperationError');
      const rel = `<rim:Association id="${uuid()}" associationType="urn:ihe:iti:2007:AssociationType:APND" sourceObject="${a.id}" targetObject="${a.id}"/>`;
      expectFailure(await update({ patientId: pid('P57-2'), docs: [], associations: [rel] }), 'XDSMetadataUpdateOperationError');
    });

    it('all or nothing: a valid update beside an invalid one changes nothing', async () => {
      const a = await registerDoc('P57-1');
      const b = await registerDoc('P57-1');
      const spec: SubmissionSpec = {
        patientId: pid('P57-1'),
        docs: [
          { id: 'Document01', lid: a.id, uniqueId: a.uniqueId, content: a.content, previousVersion: 1 },
          { id: 'Document02', lid: b.id, uniqueId: b.uniqueId, content: b.content, previousVersion: 7 },
        ],
      };
      expectFailure(await update(spec), 'XDSMetadataVersionError');
      expect(await versions(a.id)).to.have.length(1);
      expect((await entry(a.id)).status).to.equal(APPROVED);
    });
  });

  describe('ITI-62 Remove Metadata', () => {
    /** A submission of one document without a folder: SubmissionSet, DocumentEntry, SS-DE HasMember. */
    async function plainSubmission(patient: string) {
      const ssId = uuid();
      const doc = uuid();
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid(patient), submissionSetId: ssId, docs: [{ id: doc }] }))));
      const [hm] = await s.app.store.read((tx) => tx.registry.associations({ sources: [ssId] }, 10));
      return { ssId, doc, hasMember: hm.uuid };
    }

    it('removes a whole submission (SubmissionSet, DocumentEntry, HasMember) and answers with the response action', async () => {
      const p = await plainSubmission('P57-1');
      const r = await remove([p.ssId, p.doc, p.hasMember]);
      expectSuccess(r);
      const header = r.envelope.children.find((x) => x.local === 'Header')!;
      expect(header.children.find((x) => x.local === 'Action')!.text).to.equal('urn:ihe:iti:2010:DeleteDocumentSetResponse');
      expect(await s.app.store.read((tx) => tx.registry.entries([p.ssId, p.doc, p.hasMember]))).to.deep.equal([]);
    });

    it('UnresolvedReferenceException for an entryUUID not in the registry; nothing removed', async () => {
      const p = await plainSubmission('P57-1');
      const ghost = uuid();
      const r = await remove([p.ssId, p.doc, p.hasMember, ghost]);
      expectFailure(r, 'UnresolvedReferenceException');
      const err = registryResponseOf(r.body).children[0].children[0];
      expect(err.attrs.codeContext).to.equal(ghost);
      expect(await s.app.store.read((tx) => tx.registry.entries([p.doc]))).to.have.length(1);
    });

    it('ReferencesExistException when an association that stays refers to a removed object', async () => {
      const p = await plainSubmission('P57-1');
      expectFailure(await remove([p.doc]), 'ReferencesExistException');
      expectFailure(await remove([p.ssId]), 'ReferencesExistException');
    });

    it('UnreferencedObjectException when an object that stays would be left without any association', async () => {
      const p = await plainSubmission('P57-1');
      // Every member of the SubmissionSet but the SubmissionSet itself.
      expectFailure(await remove([p.doc, p.hasMember]), 'UnreferencedObjectException');
      expect(await s.app.store.read((tx) => tx.registry.entries([p.doc, p.hasMember]))).to.have.length(2);
    });

    it('removes a folder membership (FD-DE HasMember with its SS-HM): the folder and the document stay', async () => {
      const d = await registerDoc('P57-1');
      const [fdde] = (await membersOf(d.folder)).filter((m) => (m.object as { targetObject: string }).targetObject === d.id);
      const ssHm = await s.app.store.read((tx) => tx.registry.associations({ targets: [fdde.uuid] }, 10));
      expectSuccess(await remove([fdde.uuid, ...ssHm.map((a) => a.uuid)]));
      expect((await entry(d.folder)).kind).to.equal('Folder');
      expect((await entry(d.id)).kind).to.equal('DocumentEntry');
    });

    it('XDSRegistryError for an AdhocQuery instead of an ObjectRefList', async () => {
      const body =
        `<lcm:RemoveObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">` +
        `<rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"/></lcm:RemoveObjectsRequest>`;
      expectFailure(log.add(await c.soap(c.registryPath, ACTIONS.iti62, body)), 'XDSRegistryError');
    });
  });

  describe('audit', () => {
    it('ITI-57: Import (110107), action U, with the patient and the SubmissionSet; ITI-62: Patient Record (110110), action D, with each removed object reference', async () => {
      const all = await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100000 }));
      const i57 = all.filter((e) => e.eventTypeCode === 'ITI-57' && e.outcome === 0);
      expect(i57.length).to.be.greaterThan(0);
      expect(i57[0].eventId).to.equal('110107');
      expect(i57[0].action).to.equal('U');
      expect(i57[0].xml).to.contain('ParticipantObjectTypeCodeRole="20"');
      expect(i57[0].patientIds.length).to.equal(1);
      const i62 = all.filter((e) => e.eventTypeCode === 'ITI-62' && e.outcome === 0);
      expect(i62[0].eventId).to.equal('110110');
      expect(i62[0].action).to.equal('D');
      expect(i62[0].xml).to.contain('urn:ihe:iti:2017:ObjectRef').and.contain('Remove Metadata');
      expect(all.some((e) => e.eventTypeCode === 'ITI-62' && e.outcome !== 0), 'failures are audited too').to.equal(true);
    });
  });

  describe('every reply', () => {
    it('validates against the SOAP 1.2, WS-Addressing, ebRS and query schemas (xmllint)', () => {
      expect(log.xmls.length).to.be.greaterThan(40);
      expectSchemaValid(log.xmls);
      expect(errorCodes).to.be.a('function');
    });
  });
});
