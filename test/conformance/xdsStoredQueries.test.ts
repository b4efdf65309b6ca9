/**
 * ITI-18 against a registry loaded with the ITI-42 samples of the conformance material: the NIST
 * stored-query requests of xds/iti18 (their $placeholders$ filled from what was loaded) return the
 * expected objects; the NEGATIVE requests get their error; every reply validates against the schemas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { conformanceDir, isNegative, load, missingMessage, readManifest, rowsUnder } from '../helpers/conformance.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { ACTIONS, XdsClient, affinityConfig, errorCodes, expectSchemaValid, expectSuccess, faultOf, feedPatient, pid, post, readReply, ReplyLog, STATUS, withMessageId, type Reply } from '../helpers/xds.ts';
import { submitObjectsRequest, type SubmissionSpec } from '../helpers/xdsMetadata.ts';

const dir = conformanceDir();
const manifest = load(() => readManifest(dir));

const ids = (r: Reply) => (r.body.children.find((c) => c.local === 'RegistryObjectList')?.children ?? []).map((c) => `${c.local}:${c.attrs.id}`);
const ofKind = (r: Reply, local: string) => ids(r).filter((x) => x.startsWith(local + ':')).map((x) => x.slice(local.length + 1));

describe('conformance: ITI-18 stored queries (xds/iti18) on a registry loaded with the ITI-42 samples', function () {
  this.timeout(60_000);
  let s: TestServer;
  let c: XdsClient;
  const log = new ReplyLog();
  const hieosFile = path.join(dir, 'xds', 'iti42', 'hieos_XDSb-SOAP.xml');
  // What the hieos sample registers (entryUUIDs are UUIDs in the sample, so they are known here).
  const HIEOS = {
    patient: '0f1eb41fa63e435',
    docs: ['urn:uuid:16530cd8-25ec-4b06-aa28-986f6df84ab1', 'urn:uuid:894f0ef9-84a7-4b01-a74b-cc9fb302ea24'],
    folder: 'urn:uuid:c94886b3-c5af-49c6-8175-be41feb33979',
    set: 'urn:uuid:e9945743-a5e6-4786-a369-c71eb9f91f2e',
  };
  let replaced: SubmissionSpec;

  before(async function () {
    if (!fs.existsSync(hieosFile)) return;
    s = await startTestServer(affinityConfig());
    c = new XdsClient(s.app.ports.http!);
    await feedPatient(s, HIEOS.patient);
    const r = log.add(await readReply(await post(c.port, c.registryPath, 'application/soap+xml', fs.readFileSync(hieosFile))));
    expectSuccess(r);
    // A replacement of the first document, so that GetRelatedDocuments has an RPLC to find.
    replaced = {
      patientId: pid(HIEOS.patient),
      docs: [{ id: 'urn:uuid:0e6c1b7a-8d5e-4f7b-9c1a-000000000001' }],
      associations: [`<rim:Association id="urn:uuid:0e6c1b7a-8d5e-4f7b-9c1a-000000000002" associationType="urn:ihe:iti:2007:AssociationType:RPLC" sourceObject="urn:uuid:0e6c1b7a-8d5e-4f7b-9c1a-000000000001" targetObject="${HIEOS.docs[1]}"/>`],
    };
    expectSuccess(log.add(await c.register(submitObjectsRequest(replaced))));
  });
  after(async () => {
    await s?.stop();
  });

  if (!manifest.ok) {
    it('has its conformance material', () => {
      throw manifest.error;
    });
    return;
  }
  const rows = rowsUnder(manifest.value, 'xds/iti18').filter((r) => /__nist\d+_.*query\d?\.xml$/.test(r.localFile));

  /** Placeholders of each NIST request, and what the reply must hold. */
  const expectations: Record<string, { fill: Record<string, string>; expect: (r: Reply) => void }> = {
    FindDocuments: {
      fill: { patient_id: pid(HIEOS.patient) },
      expect: (r) => expect(ofKind(r, 'ExtrinsicObject').sort()).to.deep.equal([...HIEOS.docs, 'urn:uuid:0e6c1b7a-8d5e-4f7b-9c1a-000000000001'].sort()),
    },
    FindFolders: { fill: { patient_id: pid(HIEOS.patient) }, expect: (r) => expect(ofKind(r, 'RegistryPackage')).to.deep.equal([HIEOS.folder]) },
    FindSubmissionSets: { fill: { patient_id: pid(HIEOS.patient) }, expect: (r) => expect(ofKind(r, 'RegistryPackage')).to.include(HIEOS.set).and.have.length(2) },
    GetAll: {
      fill: { patient_id: pid(HIEOS.patient) },
      expect: (r) => {
        expect(ofKind(r, 'ExtrinsicObject')).to.have.length(3);
        expect(ofKind(r, 'RegistryPackage')).to.include(HIEOS.folder).and.include(HIEOS.set).and.have.length(3);
        expect(ofKind(r, 'Association').length).to.be.greaterThan(6);
      },
    },
    GetAssociations: { fill: { uuid: HIEOS.docs[0] }, expect: (r) => expect(ofKind(r, 'Association')).to.have.length(2) },
    GetDocumentsAndAssociations: {
      fill: { uuid: HIEOS.docs[0] },
      expect: (r) => {
        expect(ofKind(r, 'ExtrinsicObject')).to.deep.equal([HIEOS.docs[0]]);
        expect(ofKind(r, 'Association')).to.have.length(2);
      },
    },
    GetDocuments: { fill: { uuid: HIEOS.docs[0] }, expect: (r) => expect(ofKind(r, 'ExtrinsicObject')).to.deep.equal([HIEOS.docs[0]]) },
    GetFolderAndContents: {
      fill: { uuid: HIEOS.folder },
      expect: (r) => {
        expect(ofKind(r, 'RegistryPackage')).to.deep.equal([HIEOS.folder]);
        // The replacement of the second document joined the folder with it (ITI TF-2b 3.42.4.1.3.5).
        expect(ofKind(r, 'ExtrinsicObject').sort()).to.deep.equal([...HIEOS.docs, 'urn:uuid:0e6c1b7a-8d5e-4f7b-9c1a-000000000001'].sort());
        expect(ofKind(r, 'Association')).to.have.length(3);
      },
    },
    GetFoldersForDocument: { fill: { uuid: HIEOS.docs[0] }, expect: (r) => expect(ofKind(r, 'RegistryPackage')).to.deep.equal([HIEOS.folder]) },
    GetFolders: { fill: { uuid1: HIEOS.folder, uuid2: 'urn:uuid:00000000-0000-4000-8000-00000000beef' }, expect: (r) => expect(ofKind(r, 'RegistryPackage')).to.deep.equal([HIEOS.folder]) },
    GetRelatedDocuments: {
      fill: { uuid: HIEOS.docs[1] },
      expect: (r) => {
        expect(ofKind(r, 'ExtrinsicObject').sort()).to.deep.equal([HIEOS.docs[1], 'urn:uuid:0e6c1b7a-8d5e-4f7b-9c1a-000000000001'].sort());
        expect(ofKind(r, 'Association')).to.deep.equal(['urn:uuid:0e6c1b7a-8d5e-4f7b-9c1a-000000000002']);
      },
    },
    GetSubmissionSetAndContents: {
      fill: { uuid: HIEOS.set },
      expect: (r) => {
        expect(ofKind(r, 'RegistryPackage').sort()).to.deep.equal([HIEOS.folder, HIEOS.set].sort());
        expect(ofKind(r, 'ExtrinsicObject').sort()).to.deep.equal([...HIEOS.docs].sort());
        expect(ofKind(r, 'Association')).to.have.length(7);
      },
    },
    GetSubmissionSets: { fill: { uuid: HIEOS.docs[0] }, expect: (r) => expect(ofKind(r, 'RegistryPackage')).to.deep.equal([HIEOS.set]) },
  };

  it('lists the NIST stored-query requests', () => expect(rows.length).to.be.greaterThanOrEqual(13));

  for (const row of rows) {
    const name = path.basename(row.localFile).split('__')[0];
    it(`${row.localFile}: ${isNegative(row) ? 'the error its MANIFEST row names' : 'the expected objects'}`, async () => {
      if (!row.present) throw new Error(missingMessage(row.path));
      if (!fs.existsSync(hieosFile)) throw new Error(missingMessage(hieosFile));
      const e = expectations[name];
      let body = fs.readFileSync(row.path, 'utf8');
      for (const [k, v] of Object.entries(e?.fill ?? { patient_id: pid(HIEOS.patient) })) body = body.split(`$${k}$`).join(v.replace(/&/g, "&amp;"));
      expect(body, 'every placeholder filled').to.not.match(/\$[a-z_0-9]+\$/);
      const r = log.add(await c.query(body));
      if (isNegative(row)) {
        expect(r.body.attrs.status).to.equal(STATUS.failure);
        expect(errorCodes(r.body)).to.include(/expected (XDS\w+)/.exec(row.what)![1]);
        return;
      }
      expectSuccess(r);
      e.expect(r);
    });
  }

  for (const row of rowsUnder(manifest.value, 'xds/iti18').filter((r) => isNegative(r) && /_sq-req-|sqlinjection/.test(r.localFile))) {
    it(`${row.localFile}: refused with a RegistryErrorList (${row.what})`, async () => {
      if (!row.present) throw new Error(missingMessage(row.path));
      const r = log.add(await c.query(fs.readFileSync(row.path, 'utf8')));
      expect(r.body.attrs.status).to.equal(STATUS.failure);
      const codes = errorCodes(r.body);
      if (/missing-stat/.test(row.localFile)) expect(codes).to.deep.equal(['XDSStoredQueryMissingParam']);
      else expect(codes).to.deep.equal(['XDSRegistryError']);
    });
  }

  it('nist_soap-sq-req.xml (a whole SOAP request): refused for its missing wsa:MessageID; with one, answered, empty for a patient the registry does not know', async () => {
    const row = rowsUnder(manifest.value, 'xds/iti18').find((r) => r.localFile.endsWith('nist_soap-sq-req.xml'))!;
    if (!row.present) throw new Error(missingMessage(row.path));
    // The capture has wsa:Action and wsa:RelatesTo but no wsa:MessageID (WS-Addressing 1.0 SOAP
    // Binding 6.4.2; ITI TF-2x V.3.2.1 requires it on requests).
    const asCaptured = log.add(await readReply(await post(c.port, c.registryPath, 'application/soap+xml', fs.readFileSync(row.path))));
    expect(asCaptured.status).to.equal(400);
    expect(faultOf(asCaptured)).to.include({ code: 'env:Sender', subcode: 'wsa:MessageAddressingHeaderRequired' });
    const messageId = 'urn:uuid:5b8b3c2e-7d4f-4e0a-9c1b-0a1b2c3d4e5f';
    const r = log.add(await readReply(await post(c.port, c.registryPath, 'application/soap+xml', withMessageId(fs.readFileSync(row.path, 'utf8'), messageId))));
    expectSuccess(r);
    expect(ids(r)).to.deep.equal([]);
    expect(r.envelope.children[0].children.find((x) => x.local === 'RelatesTo')!.text).to.equal(messageId);
  });

  it('ObjectRef answers and XDSUnknownStoredQuery', async () => {
    const find = (rt: string, id = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d') =>
      `<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><query:ResponseOption returnType="${rt}"/><rim:AdhocQuery id="${id}"><rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'${pid(HIEOS.patient).replace(/&/g, '&amp;')}'</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot></rim:AdhocQuery></query:AdhocQueryRequest>`;
    const refs = log.add(await c.query(find('ObjectRef')));
    expect(ofKind(refs, 'ObjectRef').sort()).to.deep.equal([HIEOS.docs[0], 'urn:uuid:0e6c1b7a-8d5e-4f7b-9c1a-000000000001'].sort());
    const unknown = log.add(await c.query(find('LeafClass', 'urn:uuid:00000000-1111-2222-3333-444444444444')));
    expect(errorCodes(unknown.body)).to.deep.equal(['XDSUnknownStoredQuery']);
    void ACTIONS;
  });

  describe('every reply', () => {
    it('validates against the SOAP 1.2, WS-Addressing, ebRIM and ebRS query schemas', () => {
      expectSchemaValid(log.xmls);
    });
  });
});
