/**
 * The consent matrix (issue 14, Tests): consent states by requester by read path, with the visible
 * set of each cell, through the real consent service and the real transactions in process (each
 * requester is its request context, as the MLLP and SOAP edges make it). Every patient has four
 * documents made by HOSP_A: D1 and D4 ordinary, D2 of psychiatry (classCode PSY), D3 ordinary; one
 * SubmissionSet (SS) holds D1-D3 and a Folder (F) holding D1-D3; a second submission holds D4 with
 * an XFRM association D4 -> D1 (SS2). Only HOSP_A holds a record of the patients.
 */
import { expect } from 'chai';
import type { ConsentTerms } from '../../src/consent/model.ts';
import { emptyTerms } from '../../src/consent/model.ts';
import { PATIENT_NOTIFICATIONS_CHANNEL } from '../../src/consent/service.ts';
import { NODE_ROLES, type NodeIdentity, type RequestContext } from '../../src/kernel/requestContext.ts';
import { parseXml, type XmlElement } from '../../src/xml/parse.ts';
import { affinityPid, HOSP_A, readFixture, testNode as node, type ReadFixture } from '../helpers/readFixture.ts';
import { readPaths, type ReadPaths } from '../helpers/readPaths.ts';
import { APPROVED } from '../helpers/xdsQuery.ts';

const HOSP_B = '1.2.392.999.2';
const HOSP_C = '1.2.392.999.3';
const PEER = 'urn:oid:1.2.392.999.900';
const PSY: [string, string] = ['PSY', '1.2.392.999.9.1'];
const XFRM = 'urn:ihe:iti:2007:AssociationType:XFRM';
const REF = 'ACC-1^^^&1.2.392.999.9.2&ISO^urn:ihe:iti:xds:2013:accession';

const asker = (n: NodeIdentity, purpose?: string): RequestContext => ({
  transport: 'soap',
  address: '192.0.2.10',
  node: n,
  ...(purpose ? { purposeOfUse: { code: purpose } } : {}),
});

const REQUESTERS: Record<string, RequestContext> = {
  own: asker(node('hosp-a', [HOSP_A.oid], ['source', 'consumer'])),
  other: asker(node('hosp-b', [HOSP_B], ['consumer'])),
  peer: asker(node('peer-gw', [], ['gateway'], { homeCommunityId: PEER })),
  emergency: asker(node('er-c', [HOSP_C], ['consumer'], { breakGlass: new Set(['EMERGENCY']) }), 'EMERGENCY'),
  auditor: asker(node('audit-office', [], ['auditor'])),
};

const terms = (t: Partial<ConsentTerms>): ConsentTerms => ({ ...emptyTerms(), ...t });
type State = { name: string; terms?: ConsentTerms; revoke?: true };
const STATES: State[] = [
  { name: 'not enrolled (opt-in region)' },
  { name: 'opted in, every facility', terms: terms({ participation: 'opted-in' }) },
  { name: 'opted in, psychiatry withheld', terms: terms({ participation: 'opted-in', withheld: { ...emptyTerms().withheld, classCodes: [{ code: PSY[0], codingScheme: PSY[1] }] } }) },
  { name: 'opted in, HOSP_C and the peer region only', terms: terms({ participation: 'opted-in', facilities: [HOSP_C], peerRegions: [PEER] }) },
  { name: 'opted out', terms: terms({ participation: 'opted-out' }) },
  { name: 'revoked', terms: terms({ participation: 'opted-in' }), revoke: true },
];

/** A cell: whether the patient is found, and which documents are seen. */
type Cell = { patient: boolean; docs: string };
const ALL: Cell = { patient: true, docs: 'D1 D2 D3 D4' };
const NONE: Cell = { patient: false, docs: '' };
const OWN_ONLY = ALL; // HOSP_A made every document and holds the record: it always sees them.

const MATRIX: Record<string, Record<string, Cell>> = {
  'not enrolled (opt-in region)': { own: OWN_ONLY, other: NONE, peer: NONE, emergency: ALL, auditor: NONE },
  'opted in, every facility': { own: ALL, other: ALL, peer: NONE, emergency: ALL, auditor: NONE },
  'opted in, psychiatry withheld': { own: ALL, other: { patient: true, docs: 'D1 D3 D4' }, peer: NONE, emergency: ALL, auditor: NONE },
  'opted in, HOSP_C and the peer region only': { own: ALL, other: NONE, peer: ALL, emergency: ALL, auditor: NONE },
  'opted out': { own: OWN_ONLY, other: NONE, peer: NONE, emergency: ALL, auditor: NONE },
  revoked: { own: OWN_ONLY, other: NONE, peer: NONE, emergency: ALL, auditor: NONE },
};

interface PatientData {
  pid: string;
  local: string;
  names: Map<string, string>;
  uids: Record<string, string>;
  uuid: Record<string, string>;
}

describe('Consent matrix: consent states x requesters x read paths (real consent service, real transactions)', function () {
  this.timeout(120_000);
  let f: ReadFixture;
  let paths: ReadPaths;
  const patients = new Map<string, PatientData>();

  before(async () => {
    f = await readFixture({ consent: true });
    paths = readPaths(f);
    for (const [i, s] of STATES.entries()) {
      const regional = `CM-${i}`;
      const local = `CM-L${i}`;
      const personId = await f.patient(regional, [{ authority: HOSP_A, id: local }], `MATRIX${i}^TARO`);
      const spec = await f.submit({ patientId: affinityPid(regional), docs: [{ referenceIds: [REF] }, { classCode: PSY, referenceIds: [REF] }, { referenceIds: [REF] }], folder: {} }, HOSP_A.oid);
      const d: PatientData = { pid: affinityPid(regional), local, names: new Map(), uids: {}, uuid: {} };
      for (const [n, doc] of spec.docs.entries()) {
        const e = await f.entry(doc.uniqueId!);
        d.uids[`D${n + 1}`] = e.uniqueId!;
        d.uuid[`D${n + 1}`] = e.uuid;
        await f.storeDocument(e.uniqueId!, Buffer.from(`content of ${regional} D${n + 1}`));
      }
      const [ss] = await f.store.read((tx) => tx.registry.entriesByUniqueId('SubmissionSet', [spec.submissionSetUniqueId!]));
      const [folder] = await f.store.read((tx) => tx.registry.entriesByUniqueId('Folder', [(spec.folder as { uniqueId: string }).uniqueId]));
      d.uuid.SS = ss.uuid;
      d.uuid.F = folder.uuid;
      const xfrm = `urn:uuid:6f1c3b5e-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const second = await f.submit(
        {
          patientId: d.pid,
          submissionSetId: 'SubmissionSet02',
          docs: [{ id: 'Transformed', referenceIds: [REF] }],
          associations: [`<rim:Association id="${xfrm}" associationType="${XFRM}" sourceObject="Transformed" targetObject="${d.uuid.D1}"/>`],
        },
        HOSP_A.oid,
      );
      const d4 = await f.entry(second.docs[0].uniqueId!);
      d.uids.D4 = d4.uniqueId!;
      d.uuid.D4 = d4.uuid;
      const [ss2] = await f.store.read((tx) => tx.registry.entriesByUniqueId('SubmissionSet', [second.submissionSetUniqueId!]));
      d.uuid.SS2 = ss2.uuid;
      await f.storeDocument(d4.uniqueId!, Buffer.from(`content of ${regional} D4`));
      for (const [k, v] of Object.entries(d.uuid)) d.names.set(v, k);
      // Associations are named by their ends: SS>D1, F>D2, D4>D1.
      const assocs = await f.store.read((tx) => tx.registry.associations({ either: Object.values(d.uuid) }, 1000));
      for (const a of assocs) if (a.object.type === 'Association') d.names.set(a.uuid, `${d.names.get(a.object.sourceObject)}>${d.names.get(a.object.targetObject)}`);
      if (s.terms) await f.store.write((tx) => f.consent.set(tx, personId, s.terms!, { who: 'desk', source: { kind: 'desk' } }));
      if (s.revoke) await f.store.write((tx) => f.consent.revoke(tx, personId, { who: 'desk', source: { kind: 'desk' } }));
      patients.set(s.name, d);
    }
  });
  after(() => f?.close());

  /** The names of the objects of an AdhocQueryResponse, sorted; 'ERROR:<code>' for a failure. */
  function namesOf(d: PatientData, xml: string): string {
    const body = parseXml(xml);
    if (!body.attrs.status?.endsWith('Success')) return `ERROR:${xml.match(/errorCode="([^"]+)"/)?.[1]}`;
    const list = body.children.find((c: XmlElement) => c.local === 'RegistryObjectList')!;
    return list.children
      .map((o: XmlElement) => d.names.get(o.attrs.id) ?? `?${o.attrs.id}`)
      .sort()
      .join(' ');
  }

  /**
   * What each read path must show of a cell: the documents seen, their packages when the patient is
   * found, and each association whose both ends are shown.
   */
  function expected(path: string, cell: Cell): string {
    const docs = new Set(cell.docs.split(' ').filter(Boolean));
    const pkg = (n: string) => cell.patient && (n === 'SS' || n === 'SS2' || n === 'F');
    const seen = (n: string) => docs.has(n) || pkg(n);
    const assoc = (a: string) => a.split('>').every(seen);
    const list = (...names: string[]) => names.filter((n) => (n.includes('>') ? assoc(n) : seen(n))).sort().join(' ');
    const approved = ['D2', 'D3', 'D4', 'D1'];
    switch (path) {
      case 'FindDocuments':
      case 'FindDocumentsByReferenceId':
      case 'GetDocuments':
        return list(...approved);
      case 'FindSubmissionSets':
        return list('SS', 'SS2');
      case 'FindFolders':
      case 'GetFolders':
        return list('F');
      case 'GetAll':
        return list(...approved, 'SS', 'SS2', 'F', 'SS>D1', 'SS>D2', 'SS>D3', 'SS>F', 'F>D1', 'F>D2', 'F>D3', 'SS2>D4', 'D4>D1');
      case 'GetAssociations':
        return list('SS>D1', 'SS>D2', 'SS>D3', 'F>D1', 'F>D2', 'F>D3', 'SS2>D4', 'D4>D1');
      case 'GetDocumentsAndAssociations':
        return list(...approved, 'SS>D1', 'SS>D2', 'SS>D3', 'F>D1', 'F>D2', 'F>D3', 'SS2>D4', 'D4>D1');
      case 'GetSubmissionSets':
        return cell.patient && docs.size > 0 && ['D1', 'D2', 'D3'].some((x) => docs.has(x)) ? list('SS', 'SS>D1', 'SS>D2', 'SS>D3') : '';
      case 'GetSubmissionSetAndContents':
        return cell.patient ? list('SS', 'D1', 'D2', 'D3', 'F', 'SS>D1', 'SS>D2', 'SS>D3', 'SS>F') : '';
      case 'GetFolderAndContents':
        return cell.patient ? list('F', 'D1', 'D2', 'D3', 'F>D1', 'F>D2', 'F>D3') : '';
      case 'GetFoldersForDocument':
        return docs.has('D1') ? list('F') : '';
      case 'GetRelatedDocuments':
        return docs.has('D1') && docs.has('D4') ? list('D1', 'D4', 'D4>D1') : '';
    }
    throw new Error(path);
  }

  function queries(d: PatientData): [string, string, Record<string, string | string[]>][] {
    const docUuids = ['D1', 'D2', 'D3', 'D4'].map((n) => d.uuid[n]);
    return [
      ['FindDocuments', 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', { $XDSDocumentEntryPatientId: d.pid, $XDSDocumentEntryStatus: [APPROVED] }],
      ['FindDocumentsByReferenceId', 'urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492', { $XDSDocumentEntryPatientId: d.pid, $XDSDocumentEntryStatus: [APPROVED], $XDSDocumentEntryReferenceIdList: [REF] }],
      ['FindSubmissionSets', 'urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9', { $XDSSubmissionSetPatientId: d.pid, $XDSSubmissionSetStatus: [APPROVED], $XDSSubmissionSetSourceId: ['1.2.392.999.1'] }],
      ['FindFolders', 'urn:uuid:958f3006-baad-4929-a4de-ff1114824431', { $XDSFolderPatientId: d.pid, $XDSFolderStatus: [APPROVED] }],
      ['GetAll', 'urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3', { $patientId: d.pid, $XDSDocumentEntryStatus: [APPROVED], $XDSSubmissionSetStatus: [APPROVED], $XDSFolderStatus: [APPROVED] }],
      ['GetDocuments', 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4', { $XDSDocumentEntryEntryUUID: docUuids }],
      ['GetFolders', 'urn:uuid:5737b14c-8a1a-4539-b659-e03a34a5e1e4', { $XDSFolderEntryUUID: [d.uuid.F] }],
      ['GetAssociations', 'urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155', { $uuid: docUuids }],
      ['GetDocumentsAndAssociations', 'urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a', { $XDSDocumentEntryEntryUUID: docUuids }],
      ['GetSubmissionSets', 'urn:uuid:51224314-5390-4169-9b91-b1980040715a', { $uuid: docUuids.slice(0, 3) }],
      ['GetSubmissionSetAndContents', 'urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83', { $XDSSubmissionSetEntryUUID: d.uuid.SS, $XDSDocumentEntryStatus: [APPROVED] }],
      ['GetFolderAndContents', 'urn:uuid:b909a503-523d-4517-8acf-8e5834dfc4c7', { $XDSFolderEntryUUID: d.uuid.F, $XDSDocumentEntryStatus: [APPROVED] }],
      ['GetFoldersForDocument', 'urn:uuid:10cae35a-c7f9-4cf5-b61e-fc3278ffb578', { $XDSDocumentEntryEntryUUID: d.uuid.D1 }],
      ['GetRelatedDocuments', 'urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6', { $XDSDocumentEntryEntryUUID: d.uuid.D4, $AssociationTypes: [XFRM] }],
    ];
  }

  for (const state of STATES) {
    describe(state.name, () => {
      for (const [who, cell] of Object.entries(MATRIX[state.name])) {
        it(`${who}: ${cell.patient ? 'finds the patient' : 'does not find the patient'}, sees [${cell.docs}]`, async () => {
          const d = patients.get(state.name)!;
          const ctx = REQUESTERS[who];
          for (const [name, id, params] of queries(d)) {
            expect(namesOf(d, await paths.iti18(ctx, id, params)), `ITI-18 ${name}`).to.equal(expected(name, cell));
          }
          const uids = ['D1', 'D2', 'D3', 'D4'].map((n) => d.uids[n]);
          const retrieved = await paths.iti43(ctx, uids);
          const got = uids.filter((u) => retrieved.xml.includes(`<xdsb:DocumentUniqueId>${u}</xdsb:DocumentUniqueId>`)).map((u) => ['D1', 'D2', 'D3', 'D4'][uids.indexOf(u)]);
          expect(got.join(' '), 'ITI-43').to.equal(cell.docs);
          expect(retrieved.attachments, 'ITI-43 attachments').to.equal(got.length);
          const pix = await paths.iti9(ctx, `${d.local}^^^HOSP_A&1.2.392.999.1&ISO`);
          expect(pix.ack, 'ITI-9').to.equal(cell.patient ? 'AA' : 'AE');
          const pdq = await paths.iti21(ctx, `MATRIX${STATES.indexOf(state)}`);
          expect((pdq.body ?? []).filter((s) => s.startsWith('PID|')).length, 'ITI-21').to.equal(cell.patient ? 1 : 0);
        });
      }
    });
  }

  describe('after the matrix', () => {
    it('queues a notification to the patient each time the emergency requester saw what consent withholds, and only then', async () => {
      const notes = await f.store.read((tx) => tx.outbox.pendingCount(PATIENT_NOTIFICATIONS_CHANNEL));
      expect(notes).to.be.greaterThan(0);
      const before = notes;
      const d = patients.get('opted in, every facility')!;
      await paths.iti18(REQUESTERS.emergency, 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', { $XDSDocumentEntryPatientId: d.pid, $XDSDocumentEntryStatus: [APPROVED] });
      expect(await f.store.read((tx) => tx.outbox.pendingCount(PATIENT_NOTIFICATIONS_CHANNEL)), 'shared anyway: no break-glass').to.equal(before);
      const hidden = patients.get('opted out')!;
      await paths.iti18(REQUESTERS.emergency, 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', { $XDSDocumentEntryPatientId: hidden.pid, $XDSDocumentEntryStatus: [APPROVED] });
      expect(await f.store.read((tx) => tx.outbox.pendingCount(PATIENT_NOTIFICATIONS_CHANNEL))).to.equal(before + 1);
    });

    it('keeps the operator (every facility) seeing everything', async () => {
      const operator = asker(node('operator', [], [...NODE_ROLES]));
      (operator.node as { facilities: '*' | string[] }).facilities = '*';
      const d = patients.get('opted out')!;
      const xml = await paths.iti18(operator, 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', { $XDSDocumentEntryPatientId: d.pid, $XDSDocumentEntryStatus: [APPROVED] });
      expect(namesOf(d, xml)).to.equal('D1 D2 D3 D4');
    });
  });
});
