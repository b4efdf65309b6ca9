/**
 * ITI-42 Register Document Set-b against the real server over HTTP: all-or-nothing registration,
 * the XDS error codes of ITI TF-3 4.2.4, the SOAP edge's faults, and every reply valid against the
 * standard schemas.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { TestServer } from '../helpers/hieServer.ts';
import {
  ACTIONS,
  XdsClient,
  envelope,
  errorCodes,
  expectFailure,
  expectSchemaValid,
  expectSuccess,
  faultOf,
  registerInProcess,
  startXdsServer,
  pid,
  post,
  readReply,
  registryResponseOf,
  ReplyLog,
} from '../helpers/xds.ts';
import { ON_DEMAND, provideAndRegisterRequest, submitObjectsRequest, uniqueOid, type SubmissionSpec } from '../helpers/xdsMetadata.ts';

describe('XDS.b ITI-42 Register Document Set-b (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let c: XdsClient;
  const log = new ReplyLog();

  before(async () => {
    ({ s, c } = await startXdsServer(['P42-1', 'P42-2', 'P42-3']));
  });
  after(async () => {
    await s?.stop();
  });

  const registered = (uniqueId: string) => s.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [uniqueId]));

  it('registers a submission set with documents and a folder; answers Success with the response action and RelatesTo', async () => {
    const spec: SubmissionSpec = { patientId: pid('P42-1'), docs: [{}, {}], folder: {} };
    const r = log.add(await c.soap('/services/registry', ACTIONS.iti42, submitObjectsRequest(spec), 'urn:uuid:11111111-2222-3333-4444-555555555555'));
    expect(r.status).to.equal(200);
    expectSuccess(r);
    const header = r.envelope.children.find((x) => x.local === 'Header')!;
    expect(header.children.find((x) => x.local === 'Action')!.text).to.equal('urn:ihe:iti:2007:RegisterDocumentSet-bResponse');
    expect(header.children.find((x) => x.local === 'RelatesTo')!.text).to.equal('urn:uuid:11111111-2222-3333-4444-555555555555');
    const [doc] = await registered(spec.docs[0].uniqueId!);
    expect(doc.status).to.equal('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved');
    expect(doc.uuid).to.match(/^urn:uuid:/);
    expect(doc.object.name[0]).to.deep.equal({ value: '診療情報提供書', lang: 'ja' });
    const folder = await s.app.store.read((tx) => tx.registry.entriesByUniqueId('Folder', [(spec.folder as { uniqueId: string }).uniqueId]));
    expect(folder[0].object.slots.find((x) => x.name === 'lastUpdateTime')!.values[0]).to.match(/^\d{14}$/);
  });

  it('all or nothing: one bad DocumentEntry and nothing of the submission is registered', async () => {
    const spec: SubmissionSpec = { patientId: pid('P42-1'), docs: [{}, { mimeType: '' }] };
    const r = log.add(await c.register(submitObjectsRequest(spec)));
    expectFailure(r, 'XDSRegistryMetadataError');
    expect(await registered(spec.docs[0].uniqueId!)).to.have.length(0);
    expect(await s.app.store.read((tx) => tx.registry.entriesByUniqueId('SubmissionSet', [(spec as { submissionSetUniqueId?: string }).submissionSetUniqueId!]))).to.have.length(0);
  });

  it('XDSRegistryMetadataError for control characters in patient identifiers and a birth date that is no date; nothing registered', async () => {
    const cases: [string, (xml: string) => string, RegExp][] = [
      ['PID-7 99999999', (x) => x.replace('PID-7|19700101', 'PID-7|99999999'), /sourcePatientInfo PID-7 '99999999' is not a valid date/],
      ['PID-7 Feb 31', (x) => x.replace('PID-7|19700101', 'PID-7|19700231'), /PID-7 '19700231' is not a valid date/],
      ['sourcePatientId with a tab', (x) => x.replace('>L001^^^', '>L0&#9;01^^^'), /sourcePatientId 'L0\\u000901\^\^\^.*' holds a control character/],
      ['sourcePatientInfo PID-3 with a NUL as an HL7 escape', (x) => x.replace('PID-3|L001', 'PID-3|L0\\X00\\01'), /sourcePatientInfo 'PID-3\|L0\\X00\\01.*' holds a control character/],
      ['patientId with a NUL as an HL7 escape', (x) => x.split('P42-3^^^').join('P42-3\\X00\\^^^'), /patientId 'P42-3\\X00\\\^\^\^.*' holds a control character/],
      ['patientId with a line feed', (x) => x.split('P42-3^^^').join('P42-3&#10;^^^'), /patientId 'P42-3\\u000a\^\^\^.*' holds a control character/],
    ];
    for (const [what, change, message] of cases) {
      const spec: SubmissionSpec = { patientId: pid('P42-3'), docs: [{}] };
      const xml = submitObjectsRequest(spec);
      const changed = change(xml);
      expect(changed, what).to.not.equal(xml);
      const r = log.add(await c.register(changed));
      expectFailure(r, 'XDSRegistryMetadataError');
      expect(r.xml, what).to.match(message);
      expect(await registered(spec.docs[0].uniqueId!), what).to.have.length(0);
    }
  });

  it('XDSRegistryMetadataError for an entry that names this server\'s repository without its bytes there; with them (ITI-41), the same uniqueId registers again', async () => {
    const own = s.config.xds.repository.uniqueId;
    const ghost: SubmissionSpec = { patientId: pid('P42-1'), docs: [{ repositoryUniqueId: own }] };
    const r = log.add(await c.register(submitObjectsRequest(ghost)));
    expectFailure(r, 'XDSRegistryMetadataError');
    const [err] = registryResponseOf(r.body).children.find((x) => x.local === 'RegistryErrorList')!.children;
    expect(err.attrs.location).to.equal(ghost.docs[0].id);
    expect(err.attrs.codeContext).to.contain(`names this server's repository ${own}, which holds no document of that uniqueId`);
    expect(await registered(ghost.docs[0].uniqueId!)).to.have.length(0);

    // Provided over ITI-41, the bytes are here: a Register request of that document names them rightly
    // (a re-registration with the same hash and size, ITI TF-2b 3.42.4.1.3.3.1).
    const content = Buffer.from(`report ${randomUUID()}`);
    const provided: SubmissionSpec = { patientId: pid('P42-1'), docs: [{ id: 'Document01', content }] };
    const pnr = provideAndRegisterRequest(provided, 'xop');
    expectSuccess(log.add(await c.mtom(c.repositoryPath, ACTIONS.iti41, pnr, [{ contentId: 'Document01@test', contentType: 'text/plain', data: content }])));
    const again: SubmissionSpec = { patientId: pid('P42-1'), docs: [{ uniqueId: provided.docs[0].uniqueId, content, repositoryUniqueId: own }] };
    expectSuccess(log.add(await c.register(submitObjectsRequest(again))));
    // Another size for those bytes is no document the repository holds.
    const wrong: SubmissionSpec = { patientId: pid('P42-1'), docs: [{ uniqueId: provided.docs[0].uniqueId, content, size: content.length + 1, repositoryUniqueId: own }] };
    expectFailure(log.add(await c.register(submitObjectsRequest(wrong))), 'XDSRegistryMetadataError');
    expect(await registered(provided.docs[0].uniqueId!)).to.have.length(2);
  });

  it('XDSUnknownPatientId for a patient the PIX Manager was never fed, with the patient ID in codeContext', async () => {
    const r = log.add(await c.register(submitObjectsRequest({ patientId: pid('NEVER-FED'), docs: [{}] })));
    expectFailure(r, 'XDSUnknownPatientId');
    expect(r.xml).to.contain('NEVER-FED');
  });

  it('XDSUnknownPatientId for a patient of another assigning authority than the affinity domain', async () => {
    const r = log.add(await c.register(submitObjectsRequest({ patientId: 'P42-1^^^&1.2.3.4&ISO', docs: [{}] })));
    expectFailure(r, 'XDSUnknownPatientId');
  });

  it('XDSPatientIdDoesNotMatch when a document names another patient than its submission set', async () => {
    const r = log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-1'), docs: [{ patientId: pid('P42-2') }] })));
    expectFailure(r, 'XDSPatientIdDoesNotMatch');
  });

  it('duplicate uniqueIds: in the message, of a submission set in the registry, of a document with another hash or size', async () => {
    const dup = uniqueOid();
    expectFailure(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-1'), docs: [{ uniqueId: dup }, { uniqueId: dup }] }))), 'XDSRegistryDuplicateUniqueIdInMessage');
    const first = { patientId: pid('P42-1'), docs: [{ content: Buffer.from('one') }] };
    expectSuccess(log.add(await c.register(submitObjectsRequest(first))));
    const docUid = first.docs[0] as { uniqueId?: string };
    expectFailure(
      log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-1'), docs: [{ uniqueId: docUid.uniqueId, content: Buffer.from('two') }] }))),
      'XDSNonIdenticalHash',
    );
    expectFailure(
      log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-1'), docs: [{ uniqueId: docUid.uniqueId, content: Buffer.from('one'), size: 99 }] }))),
      'XDSNonIdenticalSize',
    );
    expectFailure(
      log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-1'), submissionSetUniqueId: (first as { submissionSetUniqueId?: string }).submissionSetUniqueId, docs: [{}] }))),
      'XDSDuplicateUniqueIdInRegistry',
    );
  });

  it('RPLC deprecates the replaced document; a second replacement of it is XDSRegistryDeprecatedDocumentError', async () => {
    const orig = { patientId: pid('P42-3'), docs: [{ id: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001' }] };
    expectSuccess(log.add(await c.register(submitObjectsRequest(orig))));
    const rplc = (n: number) => ({
      patientId: pid('P42-3'),
      docs: [{}],
      associations: [
        `<rim:Association id="rplc${n}" associationType="urn:ihe:iti:2007:AssociationType:RPLC" sourceObject="Document01" targetObject="urn:uuid:aaaaaaaa-0000-4000-8000-000000000001"/>`,
      ],
    });
    expectSuccess(log.add(await c.register(submitObjectsRequest(rplc(1)))));
    const [old] = await s.app.store.read((tx) => tx.registry.entries(['urn:uuid:aaaaaaaa-0000-4000-8000-000000000001']));
    expect(old.status).to.equal('urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated');
    expectFailure(log.add(await c.register(submitObjectsRequest(rplc(2)))), 'XDSRegistryDeprecatedDocumentError');
    // and the replacement of another patient's document is refused
    const other = { patientId: pid('P42-2'), docs: [{}], associations: [`<rim:Association id="x" associationType="urn:ihe:iti:2007:AssociationType:APND" sourceObject="Document01" targetObject="${(await registered((orig.docs[0] as { uniqueId?: string }).uniqueId!))[0].uuid}"/>`] };
    expectFailure(log.add(await c.register(submitObjectsRequest(other))), 'XDSPatientIdDoesNotMatch');
  });

  it('re-registers a document uniqueId with the same hash and size as a new entry (ITI TF-2b 3.42.4.1.3.3.1)', async () => {
    // XDSDuplicateUniqueIdInRegistry "cannot be thrown for DocumentEntry" (ITI TF-3 Table 4.2.4.1-2):
    // identical copies (say, in two repositories) may share a uniqueId.
    const first = { patientId: pid('P42-1'), docs: [{ content: Buffer.from('same') }] };
    expectSuccess(log.add(await c.register(submitObjectsRequest(first))));
    const uid = (first.docs[0] as { uniqueId?: string }).uniqueId!;
    expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-1'), docs: [{ uniqueId: uid, content: Buffer.from('same') }] }))));
    expect(await registered(uid)).to.have.length(2);
    // A SubmissionSet uniqueId equal to a registered DocumentEntry's is refused (3.42.4.1.3.3.7).
    expectFailure(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-1'), submissionSetUniqueId: uid, docs: [{}] }))), 'XDSDuplicateUniqueIdInRegistry');
  });

  describe('document relationships (ITI TF-2b 3.42.4.1.3.5)', () => {
    const APND = 'urn:ihe:iti:2007:AssociationType:APND';
    const XFRM = 'urn:ihe:iti:2007:AssociationType:XFRM';
    const rel = (type: string, target: string, source = 'Document01') => `<rim:Association id="urn:uuid:${randomUUID()}" associationType="${type}" sourceObject="${source}" targetObject="${target}"/>`;
    const status = async (uuid: string) => (await s.app.store.read((tx) => tx.registry.entries([uuid])))[0].status;

    it('RPLC deprecates the original with its addenda and transformations, and carries its folder memberships over', async () => {
      const orig = `urn:uuid:${randomUUID()}`;
      const folder = `urn:uuid:${randomUUID()}`;
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{ id: orig }], folder: { id: folder } }))));
      const addendum = `urn:uuid:${randomUUID()}`;
      const transform = `urn:uuid:${randomUUID()}`;
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{ id: addendum }], associations: [rel(APND, orig, addendum)] }))));
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{ id: transform }], associations: [rel(XFRM, orig, transform)] }))));
      const replacement = `urn:uuid:${randomUUID()}`;
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{ id: replacement }], associations: [rel('urn:ihe:iti:2007:AssociationType:RPLC', orig, replacement)] }))));
      for (const id of [orig, addendum, transform]) expect(await status(id), id).to.equal('urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated');
      expect(await status(replacement)).to.equal('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved');
      const members = await s.app.store.read((tx) => tx.registry.associations({ sources: [folder] }, 100));
      const fdde = members.find((m) => (m.object as { targetObject: string }).targetObject === replacement);
      expect(fdde, 'an FD-DE HasMember for the replacement').to.not.equal(undefined);
      const ssHm = await s.app.store.read((tx) => tx.registry.associations({ targets: [fdde!.uuid] }, 10));
      expect(ssHm, 'with its SS-HM HasMember').to.have.length(1);
    });

    it('UnresolvedReferenceException for a target that is not registered; XDSRegistryDeprecatedDocumentError for a deprecated one, signs included', async () => {
      expectFailure(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{}], associations: [rel(APND, `urn:uuid:${randomUUID()}`)] }))), 'UnresolvedReferenceException');
      const orig = `urn:uuid:${randomUUID()}`;
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{ id: orig }] }))));
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{}], associations: [rel('urn:ihe:iti:2007:AssociationType:RPLC', orig)] }))));
      expectFailure(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{}], associations: [rel('urn:ihe:iti:2007:AssociationType:signs', orig)] }))), 'XDSRegistryDeprecatedDocumentError');
      // RPLC of a document of the same submission: its target must already be registered.
      expectFailure(
        log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{}, {}], associations: [rel('urn:ihe:iti:2007:AssociationType:RPLC', 'Document02')] }))),
        'UnresolvedReferenceException',
      );
    });

    it('IsSnapshotOf links a Stable snapshot to a registered On-Demand entry, and nothing else', async () => {
      const stable = `urn:uuid:${randomUUID()}`;
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{ id: stable }] }))));
      expectFailure(
        log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{}], associations: [rel('urn:ihe:iti:2010:AssociationType:IsSnapshotOf', stable)] }))),
        'XDSRegistryMetadataError',
      );
      const onDemand = `urn:uuid:${randomUUID()}`;
      await registerInProcess(s, submitObjectsRequest({ patientId: pid('P42-3'), docs: [{ id: onDemand, objectType: ON_DEMAND }] }, false), { onDemand: true });
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{}], associations: [rel('urn:ihe:iti:2010:AssociationType:IsSnapshotOf', onDemand)] }))));
      // ITI-42 itself registers Stable entries only (ITI TF-2b 3.42.4.1.2).
      expectFailure(log.add(await c.register(submitObjectsRequest({ patientId: pid('P42-3'), docs: [{ objectType: ON_DEMAND }] }, false))), 'XDSRegistryMetadataError');
    });
  });

  it('keeps extra metadata slots (urn: names) and Japanese text intact', async () => {
    const spec: SubmissionSpec = { patientId: pid('P42-1'), docs: [{ extraSlots: [['urn:jp:hie:consent', '同意あり']] as [string, string][], title: '退院時サマリー 日本語' }] };
    const r = log.add(await c.register(submitObjectsRequest(spec)));
    expectSuccess(r);
    expect(errorCodes(registryResponseOf(r.body))).to.deep.equal([]);
    const [doc] = await registered(spec.docs[0].uniqueId!);
    expect(doc.object.slots.find((x) => x.name === 'urn:jp:hie:consent')!.values).to.deep.equal(['同意あり']);
    expect(doc.object.name[0].value).to.equal('退院時サマリー 日本語');
  });

  it('records an Import audit event (110107, C, ITI-42) with the patient and the submission set', async () => {
    const spec: SubmissionSpec = { patientId: pid('P42-2'), docs: [{}] };
    expectSuccess(log.add(await c.register(submitObjectsRequest(spec))));
    const events = await s.app.store.read((tx) => tx.audit.auditEvents({ patientId: pid('P42-2') }));
    const ev = events.filter((e) => e.eventTypeCode === 'ITI-42' && e.outcome === 0);
    expect(ev.length).to.be.greaterThan(0);
    expect(ev[ev.length - 1].eventId).to.equal('110107');
    expect(ev[ev.length - 1].xml).to.contain((spec as { submissionSetUniqueId?: string }).submissionSetUniqueId);
  });

  describe('the SOAP edge', () => {
    it('a SOAP Fault (env:Sender) for malformed XML, for a DOCTYPE (XML bomb), and for a SOAP 1.1 envelope (VersionMismatch)', async () => {
      const ct = 'application/soap+xml; charset=UTF-8';
      const bad = log.add(await readReply(await post(c.port, '/services/registry', ct, '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>')));
      expect(bad.status).to.equal(400);
      expect(faultOf(bad).code).to.equal('env:Sender');
      const bomb =
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
        '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>' +
        envelope(ACTIONS.iti42, '<x>&lol2;</x>').replace(/^<\?xml[^>]*\?>/, '');
      const f = log.add(await readReply(await post(c.port, '/services/registry', ct, bomb)));
      expect(faultOf(f)).to.include({ code: 'env:Sender', subcode: 'hie:DoctypeNotAllowed' });
      const v11 = log.add(await readReply(await post(c.port, '/services/registry', 'text/xml', '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>')));
      expect(faultOf(v11).code).to.equal('env:Sender');
      const v11b = log.add(await readReply(await post(c.port, '/services/registry', ct, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><a/></s:Body></s:Envelope>')));
      expect(faultOf(v11b).code).to.equal('env:VersionMismatch');
    });

    it('a Fault with wsa:ActionNotSupported for an unknown action, and wsa:MessageAddressingHeaderRequired without one', async () => {
      const r = log.add(await c.soap('/services/registry', 'urn:ihe:iti:2007:NoSuchThing', '<x/>'));
      expect(faultOf(r)).to.include({ code: 'env:Sender', subcode: 'wsa:ActionNotSupported' });
      const header = log.add(await c.soap('/services/registry', ACTIONS.iti43, '<x/>'));
      expect(faultOf(header).subcode, 'ITI-43 is served by the repository, not the registry').to.equal('wsa:ActionNotSupported');
      const none = log.add(
        await readReply(
          await post(c.port, '/services/registry', 'application/soap+xml', `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Header/><e:Body><a/></e:Body></e:Envelope>`),
        ),
      );
      expect(faultOf(none).subcode).to.equal('wsa:MessageAddressingHeaderRequired');
    });

    it('a Fault for a body in the wrong namespace; nothing registered', async () => {
      const wrongNs = submitObjectsRequest({ patientId: pid('P42-1'), docs: [{}] }).replace('urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0', 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:2.1');
      const r = log.add(await c.register(wrongNs));
      expect(faultOf(r).subcode).to.equal('hie:InvalidBody');
      const rimNs = submitObjectsRequest({ patientId: pid('P42-1'), docs: [{}] }).replace('xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"', 'xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:2.1"');
      expectFailure(log.add(await c.register(rimNs)), 'XDSRegistryMetadataError');
    });
  });

  describe('every reply', () => {
    it('validates against the SOAP 1.2, WS-Addressing and ebRS schemas (xmllint)', () => {
      expect(log.xmls.length).to.be.greaterThan(20);
      expectSchemaValid(log.xmls);
    });
  });
});
