import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import { affinityPid, readFixture, REPOSITORY, soapRequest, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { ACTIONS, envelope, expectSchemaValid } from '../../../test/helpers/xds.ts';
import { provideAndRegisterRequest, sha1, type SubmissionSpec } from '../../../test/helpers/xdsMetadata.ts';
import { auditMark, NODE_A, NODE_B, responseOf } from '../../../test/helpers/xdsWrites.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { silentLogger } from '../../kernel/logger.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { SoapFault } from '../../soap/fault.ts';
import type { MimePart } from '../../soap/mtom.ts';
import { RepositoryService } from '../repository/service.ts';
import { XDS } from '../transactions.ts';
import { iti41Transaction } from './transaction.ts';

const uuid = () => `urn:uuid:${randomUUID()}`;

describe('ITI-41 Provide and Register Document Set-b (the transaction over the use case)', () => {
  let f: ReadFixture;
  let t: SoapTransaction;
  const replies: string[] = [];
  before(async () => {
    f = await readFixture();
    await f.patient('T41-1');
    const repository = new RepositoryService({ repositoryUniqueId: REPOSITORY }, f.store, f.blobs);
    t = iti41Transaction({ repository, registry: f.registry, audit: f.audit, log: silentLogger });
  });
  after(() => f?.close());

  const spec = (n = 1): SubmissionSpec => ({
    patientId: affinityPid('T41-1'),
    submissionSetId: uuid(),
    docs: Array.from({ length: n }, () => ({ id: uuid(), content: Buffer.from(`紹介状 ${randomUUID()}`) })),
  });
  /** An attachment of the MTOM package as the endpoint hands it over (kept in memory). */
  const part = (contentId: string, data: Buffer): MimePart => ({ headers: {}, contentId, contentType: 'text/plain', size: data.length, data });
  const request = (bodyXml: string, ctx: RequestContext = NODE_A, parts: MimePart[] = []): SoapRequest => ({
    ...soapRequest(ACTIONS.iti41, bodyXml, ctx),
    parts: new Map(parts.map((p) => [p.contentId, p])),
    mtom: parts.length > 0,
  });
  const handle = async (r: SoapRequest) => {
    const { bodyXml } = await t.handle(r);
    replies.push(bodyXml);
    return responseOf(bodyXml);
  };
  const storedBytes = async (s: SubmissionSpec) => {
    const rows = await f.store.read((tx) => tx.repository.documents(REPOSITORY, s.docs.map((d) => d.uniqueId!)));
    return rows.map((r) => fs.readFileSync(f.blobs.pathOf(r.blob)).toString());
  };
  const registered = (s: SubmissionSpec) => f.store.read((tx) => tx.registry.entries([s.submissionSetId!, ...s.docs.map((d) => d.id!)]));

  it('stores documents sent inline in base64 and answers Success', async () => {
    const s = spec(2);
    expect(await handle(request(provideAndRegisterRequest(s, 'inline')))).to.deep.equal({ status: 'Success', errors: [] });
    expect((await storedBytes(s)).sort()).to.deep.equal(s.docs.map((d) => d.content!.toString()).sort());
    expect(await registered(s)).to.have.length(3);
  });

  it('stores documents sent as XOP attachments (xop:Include by Content-ID)', async () => {
    const s = spec(2);
    const xml = provideAndRegisterRequest(s, 'xop');
    const parts = s.docs.map((d) => part(`${d.id}@test`, d.content!));
    expect((await handle(request(xml, NODE_A, parts))).status).to.equal('Success');
    expect((await storedBytes(s)).sort()).to.deep.equal(s.docs.map((d) => d.content!.toString()).sort());
    const e = await f.entry(s.docs[0].uniqueId!);
    expect(e.hash).to.equal(sha1(s.docs[0].content!));
  });

  it('refuses a MIME part no Document references with XDSMissingDocumentMetadata: nothing stored, the failure audited', async () => {
    const s = spec();
    const xml = provideAndRegisterRequest(s, 'xop');
    const stray = part('stray@test', Buffer.from('nobody refers to me'));
    const added = await auditMark(f.store);
    const r = await handle(request(xml, NODE_A, [part(`${s.docs[0].id}@test`, s.docs[0].content!), stray]));
    expect(r.status).to.equal('Failure');
    expect(r.errors.map((e) => [e.errorCode, e.location])).to.deep.equal([['XDSMissingDocumentMetadata', 'stray@test']]);
    expect(await storedBytes(s)).to.deep.equal([]);
    expect(await registered(s)).to.deep.equal([]);
    const audits = await added();
    expect(audits.map((a) => [a.eventTypeCode, a.outcome])).to.deep.equal([['ITI-41', 4]]);
    expect(audits[0].xml).to.contain(s.submissionSetUniqueId);
  });

  it('refuses an xop:Include naming no attachment with XDSMissingDocument, and inline content that is not base64 with XDSRepositoryMetadataError', async () => {
    const s = spec();
    const missing = await handle(request(provideAndRegisterRequest(s, 'xop'), NODE_A, []));
    expect(missing.errors.map((e) => [e.errorCode, e.location])).to.deep.equal([['XDSMissingDocument', s.docs[0].id]]);
    const notBase64 = provideAndRegisterRequest(s, 'inline').replace(/(<xdsb:Document [^>]*>)[^<]*/, '$1not*base64!');
    const bad = await handle(request(notBase64));
    expect(bad.errors.map((e) => e.errorCode)).to.include('XDSRepositoryMetadataError');
    expect(await registered(s)).to.deep.equal([]);
  });

  it('answers a refusal by node authorization as a Failure RegistryResponse located at the SubmissionSet', async () => {
    const s = spec();
    const r = await handle(request(provideAndRegisterRequest(s, 'inline'), NODE_B));
    expect(r.status).to.equal('Failure');
    expect(r.errors.find((e) => e.location === s.submissionSetId)).to.include({ errorCode: 'XDSRepositoryMetadataError', severity: 'Error' });
    expect(await storedBytes(s)).to.deep.equal([]);
  });

  it('answers a Body that is not a ProvideAndRegisterDocumentSetRequest with a Sender SOAP Fault', async () => {
    const err = await t.handle(request('<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"/>')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(SoapFault);
    expect((err as SoapFault).code).to.equal('Sender');
  });

  it('answers RegistryResponses valid against the ebRS 3.0 schema', () => {
    expect(replies.length).to.be.greaterThan(4);
    expectSchemaValid(replies.map((b) => envelope(XDS['ITI-41'].responseAction, b)));
  });
});
