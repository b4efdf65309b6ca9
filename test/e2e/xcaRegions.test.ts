/**
 * Three regions on loopback, each a real server over TLS with its own homeCommunityId, regional
 * authority and repository (issue 16). A patient treated in A and C moved to B: the same token,
 * other regional IDs. B's Initiating Gateway answers B's EHR from B's registry and from A (a token
 * link) and C (a pseudonym link) at once: `home` on every object, one merged MTOM retrieve, consent
 * of A deciding for B, an unknown community; then peers that are down, hang, answer garbage, a Fault,
 * a schema-invalid or an oversized body, or fail TLS: PartialSuccess within the timeout, errors
 * located at each failing peer, a peer that keeps failing skipped. Every answer validates.
 */
import { expect } from 'chai';
import { emptyTerms, type ConsentTerms } from '../../src/consent/model.ts';
import { individualNumberCheckDigit } from '../../src/identity/token/checkDigit.ts';
import type { SoapAnswer } from '../../src/soap/client.ts';
import { fakePeer, type FakePeer } from '../helpers/fakePeers.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { regionCerts, type RegionCerts } from '../helpers/tlsNodes.ts';
import { ACTIONS, DICOM_AUDIT_SCHEMA, expectSchemaValid } from '../helpers/xds.ts';
import { uniqueOid } from '../helpers/xdsMetadata.ts';
import { findDocuments, QUERY, storedQuery } from '../helpers/xdsQuery.ts';
import { callAs, documentsOf, errorsOf, feedRegionPatient, objectsOf, provide, REGION_NODES, REGIONS, regionalPid, regionServerConfig, statusOf, xopInfoset, type RegionSpec } from '../helpers/xca.ts';

const { a: A, b: B, c: C } = REGIONS;
const RG = '/services/xca/responding';
const IG = '/services/xca/initiating';
const LINK_BC = { namespace: 'LINK_BC', oid: '1.2.392.999.910.23', key: 'link-b-c-secret-0123456789' };
const PSY: [string, string] = ['PSY', '1.2.392.999.9.1'];
const NOWHERE = 'https://127.0.0.1:9/nowhere';

const peerOf = (r: RegionSpec, s: TestServer | undefined, identity: object = {}, more: object = {}) => ({
  homeCommunityId: r.homeCommunityId,
  name: `region-${r.name}`,
  queryUrl: s ? `https://127.0.0.1:${s.app.ports.http}${RG}` : NOWHERE,
  retrieveUrl: s ? `https://127.0.0.1:${s.app.ports.http}${RG}` : NOWHERE,
  identity,
  timeoutMs: 5000,
  ...more,
});

describe('XCA across three regions: the Initiating Gateway (e2e, three real servers over TLS)', function () {
  this.timeout(180_000);
  let certs: RegionCerts;
  const s: Record<string, TestServer> = {};
  let token: string;
  const docs: Record<string, string> = {};
  const envelopes: string[] = [];
  const keep = (x: SoapAnswer) => (envelopes.push(x.attachments.length ? xopInfoset(x) : x.envelopeXml), x);
  const ehr = (r: RegionSpec) => ({ ca: certs.ca, ...certs.node(`ehr-${r.name}`) });
  const tlsOf = (r: RegionSpec) => ({ ca: certs.ca, ...certs.node(`region-${r.name}`) });
  const igQuery = async (server: TestServer, body: string) => keep(await callAs(server, ehr(B), IG, ACTIONS.iti18, body));
  const igRetrieve = async (server: TestServer, body: string) => keep(await callAs(server, ehr(B), IG, ACTIONS.iti43, body));
  const consent = (server: TestServer, regional: string, t: Partial<ConsentTerms>) =>
    server.app.store.write(async (tx) => server.app.consent.set(tx, (await tx.identity.personByRegionalId(regional))!.id, { ...emptyTerms(), ...t }, { who: 'desk', source: { kind: 'desk' } }));
  const retrieveXml = (reqs: [string, string, string][]) =>
    `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007">` +
    reqs.map(([h, r, d]) => `<xdsb:DocumentRequest><xdsb:HomeCommunityId>${h}</xdsb:HomeCommunityId><xdsb:RepositoryUniqueId>${r}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${d}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>`).join('') +
    `</xdsb:RetrieveDocumentSetRequest>`;

  before(async () => {
    certs = await regionCerts(REGION_NODES);
    // A and C answer B; they never call B, so their directory names B without an address.
    s.a = await startTestServer(regionServerConfig(A, certs, [B], { xca: { communities: [peerOf(B, undefined)] } }));
    s.c = await startTestServer(
      regionServerConfig(C, certs, [B], { identity: { regional: { authority: { namespace: 'REGION_C', oid: C.regionalOid } }, domains: [{ namespace: 'HOSP_A', oid: '1.2.392.999.1' }], pseudonymDomains: [LINK_BC] }, xca: { communities: [peerOf(B, undefined, { mode: 'pseudonym', pseudonymDomain: 'LINK_BC' })] } }),
    );
    s.b = await startTestServer(
      regionServerConfig(B, certs, [A, C], {
        identity: { regional: { authority: { namespace: 'REGION_B', oid: B.regionalOid } }, domains: [{ namespace: 'HOSP_A', oid: '1.2.392.999.1' }], pseudonymDomains: [LINK_BC] },
        xca: { communities: [peerOf(A, s.a, {}, { tls: { ca: certs.ca, cert: tlsOf(B).cert, key: tlsOf(B).key } }), peerOf(C, s.c, { mode: 'pseudonym', pseudonymDomain: 'LINK_BC' }, { tls: { ca: certs.ca, cert: tlsOf(B).cert, key: tlsOf(B).key } })] },
      }),
    );
    token = s.a.app.tokenIssuer.issue('123456789018');
    // One person, three regional IDs: treated in A and C, moved to B.
    for (const [r, id, content, classCode] of [
      [A, 'PA-1', 'discharge summary from A', undefined],
      [A, 'PA-1', 'psychiatry note from A', PSY],
      [C, 'PC-7', 'lab report from C', undefined],
      [B, 'PB-3', 'referral at B', undefined],
    ] as [RegionSpec, string, string, [string, string] | undefined][]) {
      const server = s[r.name];
      if (!(await server.app.store.read((tx) => tx.identity.personByRegionalId(id)))) await feedRegionPatient(server, r, id, token);
      const uniqueId = uniqueOid();
      await provide(server, ehr(r), { patientId: regionalPid(id, r), docs: [{ uniqueId, content: Buffer.from(content), ...(classCode ? { classCode } : {}) }] });
      docs[content] = uniqueId;
      await consent(server, id, { participation: 'opted-in', peerRegions: [B.homeCommunityId] });
    }
  });
  after(async () => {
    for (const x of Object.values(s)) await x.stop();
    if (envelopes.length) expectSchemaValid(envelopes);
  });

  const uids = (x: SoapAnswer) => objectsOf(x).filter((o) => o.local === 'ExtrinsicObject');
  const homesByDoc = async (x: SoapAnswer) => {
    const out: Record<string, string> = {};
    const list = x.body.children.find((c) => c.local === 'RegistryObjectList')!;
    for (const eo of list.children.filter((c) => c.local === 'ExtrinsicObject')) {
      const uid = eo.children.find((c) => c.local === 'ExternalIdentifier' && c.attrs.identificationScheme === 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab')!.attrs.value;
      out[uid] = eo.attrs.home;
    }
    return out;
  };

  it("finds the moved patient's documents in B, A (token link) and C (pseudonym link) with one ITI-18 at B's Initiating Gateway", async () => {
    const x = await igQuery(s.b, findDocuments(regionalPid('PB-3', B)));
    expect(statusOf(x), x.envelopeXml.slice(0, 1500)).to.equal('Success');
    expect(await homesByDoc(x)).to.deep.equal({
      [docs['discharge summary from A']]: A.homeCommunityId,
      [docs['psychiatry note from A']]: A.homeCommunityId,
      [docs['lab report from C']]: C.homeCommunityId,
      [docs['referral at B']]: B.homeCommunityId,
    });
    for (const o of objectsOf(x)) expect(o.home, o.id).to.be.a('string');
  });

  it('counts a community that does not know the patient as holding nothing: Success, and the token never reaches the consumer', async () => {
    const other = s.a.app.tokenIssuer.issue('23456789012' + individualNumberCheckDigit('23456789012'));
    await feedRegionPatient(s.a, A, 'PA-2', other);
    await feedRegionPatient(s.b, B, 'PB-2', other);
    await provide(s.a, ehr(A), { patientId: regionalPid('PA-2', A), docs: [{ uniqueId: uniqueOid(), content: Buffer.from('only in A') }] });
    await consent(s.a, 'PA-2', { participation: 'opted-in', peerRegions: [B.homeCommunityId] });
    await consent(s.b, 'PB-2', { participation: 'opted-in' });
    const x = await igQuery(s.b, findDocuments(regionalPid('PB-2', B)));
    expect(statusOf(x), x.envelopeXml.slice(0, 1500)).to.equal('Success');
    expect(objectsOf(x).map((o) => o.home)).to.deep.equal([A.homeCommunityId]);
    expect(x.envelopeXml).to.not.contain(other).and.to.not.contain(token);
  });

  it('retrieves documents of A, C and B in one ITI-43: one ITI-39 per community, one merged MTOM answer', async () => {
    const x = await igRetrieve(
      s.b,
      retrieveXml([
        [A.homeCommunityId, A.repositoryUniqueId, docs['discharge summary from A']],
        [C.homeCommunityId, C.repositoryUniqueId, docs['lab report from C']],
        [B.homeCommunityId, B.repositoryUniqueId, docs['referral at B']],
        [A.homeCommunityId, A.repositoryUniqueId, '1.2.3.404'],
        ['urn:oid:1.2.3.4.5', A.repositoryUniqueId, '1.2.3.405'],
      ]),
    );
    expect(statusOf(x)).to.equal('PartialSuccess');
    const got = documentsOf(x).map((d) => [d.home, d.bytes.toString()]).sort();
    expect(got).to.deep.equal([
      [A.homeCommunityId, 'discharge summary from A'],
      [B.homeCommunityId, 'referral at B'],
      [C.homeCommunityId, 'lab report from C'],
    ]);
    expect(errorsOf(x).map((e) => [e.errorCode, e.location]).sort()).to.deep.equal([
      ['XDSDocumentUniqueIdError', A.homeCommunityId],
      ['XDSUnknownCommunity', 'urn:oid:1.2.3.4.5'],
    ]);
  });

  it("vanishes a class A's consent withholds from B's answer", async () => {
    await consent(s.a, 'PA-1', { participation: 'opted-in', peerRegions: [B.homeCommunityId], withheld: { ...emptyTerms().withheld, classCodes: [{ code: PSY[0], codingScheme: PSY[1] }] } });
    try {
      const x = await igQuery(s.b, findDocuments(regionalPid('PB-3', B)));
      expect(Object.keys(await homesByDoc(x))).to.not.include(docs['psychiatry note from A']);
      expect(uids(x)).to.have.length(3);
    } finally {
      await consent(s.a, 'PA-1', { participation: 'opted-in', peerRegions: [B.homeCommunityId] });
    }
  });

  it('sends a query naming a homeCommunityId to that community only; an unknown one is XDSUnknownCommunity', async () => {
    const [inA] = Object.entries(await homesByDoc(await igQuery(s.b, findDocuments(regionalPid('PB-3', B))))).filter(([, h]) => h === A.homeCommunityId);
    const entry = await s.a.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [inA[0]]));
    const one = await igQuery(s.b, storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryEntryUUID: [entry[0].uuid] }).replace('<rim:AdhocQuery ', `<rim:AdhocQuery home="${A.homeCommunityId}" `));
    expect(statusOf(one)).to.equal('Success');
    expect(objectsOf(one)).to.deep.equal([{ local: 'ExtrinsicObject', id: entry[0].uuid, home: A.homeCommunityId }]);
    const none = await igQuery(s.b, storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryEntryUUID: [entry[0].uuid] }).replace('<rim:AdhocQuery ', `<rim:AdhocQuery home="urn:oid:1.2.3.4.5" `));
    expect(statusOf(none)).to.equal('Failure');
    expect(errorsOf(none).map((e) => e.errorCode)).to.deep.equal(['XDSUnknownCommunity']);
  });

  it('audits at B the ITI-18 as gateway and each ITI-38/ITI-39 as requester; at A and C the requests of region-b, never naming the token', async () => {
    const events = (x: TestServer) => x.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
    const atB = await events(s.b);
    const out38 = atB.filter((e) => e.eventTypeCode === 'ITI-38');
    const out39 = atB.filter((e) => e.eventTypeCode === 'ITI-39');
    expect(out38.length).to.be.greaterThan(3);
    expect(out39.length).to.be.greaterThan(1);
    const q = out38[0].xml.toString();
    expect(q).to.contain('code="110112"').and.to.contain('AlternativeUserID="ehr-b"').and.to.contain(`${RG}`);
    expect(out39[0].xml.toString()).to.contain('code="110107"').and.to.contain('EventActionCode="C"');
    const atA = (await events(s.a)).filter((e) => e.eventTypeCode === 'ITI-38');
    const atC = (await events(s.c)).filter((e) => e.eventTypeCode === 'ITI-38');
    expect(atA.length).to.be.greaterThan(0);
    expect(atC.length).to.be.greaterThan(0);
    // The XCA and XDS read events (the PIX feed's ITI-8 record is another matter).
    for (const e of [...atB, ...atA, ...atC].filter((x) => ['ITI-18', 'ITI-38', 'ITI-39', 'ITI-43'].includes(x.eventTypeCode))) {
      const xml = e.xml.toString();
      expect(xml, `the token in ${e.eventTypeCode}`).to.not.contain(token);
      const queries = [...xml.matchAll(/<ParticipantObjectQuery>([^<]*)</g)].map((m) => Buffer.from(m[1], 'base64').toString());
      for (const qx of queries) expect(qx, 'the token in a recorded query').to.not.contain(token);
    }
    expect(atC[0].xml.toString()).to.contain('AlternativeUserID="region-b"').and.to.contain('PC-7');
    expectSchemaValid([q, out39[0].xml.toString(), atA[0].xml.toString(), atC[0].xml.toString()], DICOM_AUDIT_SCHEMA);
  });

  describe('peers that fail', () => {
    let g: TestServer;
    const fakes: FakePeer[] = [];
    // Long enough that a query answered without the hung peer is well inside it, even on a loaded machine.
    const TIMEOUT = 2000;
    const fake = (f: FakePeer, i: number) => ({ homeCommunityId: `urn:oid:1.2.392.999.990.${i}`, name: `fake-${f.kind}`, queryUrl: f.url, retrieveUrl: f.url, timeoutMs: TIMEOUT });

    before(async () => {
      for (const k of ['down', 'hang', 'garbage', 'fault', 'invalid', 'oversized'] as const) fakes.push(await fakePeer(k));
      // A second Initiating Gateway of region B: A for real, the fakes, and A again with TLS that fails (no CA to trust A's certificate).
      g = await startTestServer(
        regionServerConfig(B, certs, [A], {
          xca: {
            initiatingGateway: { failuresBeforeBackoff: 2, backoffMs: 60_000, maxResponseBytes: 2 * 1024 * 1024 },
            communities: [
              peerOf(A, s.a, {}, { tls: { ca: certs.ca, cert: tlsOf(B).cert, key: tlsOf(B).key }, timeoutMs: TIMEOUT * 4 }),
              ...fakes.map(fake),
              { ...peerOf(A, s.a, {}, { tls: { cert: tlsOf(B).cert, key: tlsOf(B).key } }), homeCommunityId: 'urn:oid:1.2.392.999.990.99', name: 'tls-untrusted' },
            ],
          },
        }),
      );
      await feedRegionPatient(g, B, 'PB-3', token);
      await consent(g, 'PB-3', { participation: 'opted-in' });
    });
    after(async () => {
      await g?.stop();
      for (const f of fakes) await f.close();
    });

    it('answers PartialSuccess within the timeout: A\'s documents, one XDSUnavailableCommunity located at each failing peer', async () => {
      const t0 = Date.now();
      const x = await igQuery(g, findDocuments(regionalPid('PB-3', B)));
      const took = Date.now() - t0;
      expect(statusOf(x)).to.equal('PartialSuccess');
      expect(Object.values(await homesByDoc(x))).to.deep.equal([A.homeCommunityId, A.homeCommunityId]);
      const errors = errorsOf(x);
      expect(errors.map((e) => e.errorCode)).to.deep.equal(Array(7).fill('XDSUnavailableCommunity'));
      expect(errors.map((e) => e.location).sort()).to.deep.equal([...fakes.map((_f, i) => `urn:oid:1.2.392.999.990.${i}`), 'urn:oid:1.2.392.999.990.99'].sort());
      const why = (i: number) => errors.find((e) => e.location === `urn:oid:1.2.392.999.990.${i}`)!.codeContext!;
      expect(why(0)).to.match(/ECONNREFUSED/);
      expect(why(1)).to.match(new RegExp(`within ${TIMEOUT} ms`));
      expect(why(2)).to.match(/without a SOAP envelope/);
      expect(why(3)).to.match(/SOAP Fault env:Receiver: the community is closed for maintenance/);
      expect(why(4)).to.match(/malformed answer/);
      expect(why(5), why(5)).to.match(/more than 2097152 bytes/);
      expect(errors.find((e) => e.location === 'urn:oid:1.2.392.999.990.99')!.codeContext).to.match(/certificate/);
      expect(took).to.be.lessThan(TIMEOUT + 1500);
    });

    it('skips a peer that keeps failing for the back-off period, its error entry still in each answer', async () => {
      await igQuery(g, findDocuments(regionalPid('PB-3', B)));
      const hits = fakes.map((f) => f.hits);
      const t0 = Date.now();
      const x = await igQuery(g, findDocuments(regionalPid('PB-3', B)));
      expect(Date.now() - t0).to.be.lessThan(TIMEOUT, 'the hung peer is not waited for');
      expect(fakes.map((f) => f.hits)).to.deep.equal(hits, 'no request to a skipped peer');
      expect(statusOf(x)).to.equal('PartialSuccess');
      const errors = errorsOf(x);
      expect(errors).to.have.length(7);
      for (const e of errors) expect(e.codeContext).to.match(/skipped until .* after \d+ failures in a row/);
    });

    it('answers a retrieve from a failing peer with XDSUnavailableCommunity for each of its documents, and the others', async () => {
      const x = await igRetrieve(g, retrieveXml([[A.homeCommunityId, A.repositoryUniqueId, docs['discharge summary from A']], ['urn:oid:1.2.392.999.990.3', '1.2.3', '1.2.3.1'], ['urn:oid:1.2.392.999.990.3', '1.2.3', '1.2.3.2']]));
      expect(statusOf(x)).to.equal('PartialSuccess');
      expect(documentsOf(x).map((d) => d.bytes.toString())).to.deep.equal(['discharge summary from A']);
      expect(errorsOf(x).map((e) => [e.errorCode, e.location])).to.deep.equal([
        ['XDSUnavailableCommunity', 'urn:oid:1.2.392.999.990.3'],
        ['XDSUnavailableCommunity', 'urn:oid:1.2.392.999.990.3'],
      ]);
    });
  });
});
