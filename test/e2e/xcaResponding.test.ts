/**
 * The XCA Responding Gateway (ITI-38, ITI-39) of a real server over TLS, asked by a peer region's
 * gateway node: the NIST XCA samples with their placeholders filled, `home` on every object,
 * HomeCommunityId on every DocumentResponse, XDSUnknownCommunity and XDSUnknownPatientId, consent
 * for the requesting region (peerRegions, withheld classes), the role gate, the audit of
 * ITI TF-2b 3.38.5 and 3.39.5; every answer valid against the standard schemas.
 */
import path from 'node:path';
import { expect } from 'chai';
import { emptyTerms, type ConsentTerms } from '../../src/consent/model.ts';
import type { SoapAnswer } from '../../src/soap/client.ts';
import { conformanceDir } from '../helpers/conformance.ts';
import { faultOf } from '../helpers/soapFaults.ts';
import { makeIdp, securityHeader, signedAssertion, type TestIdp } from '../helpers/saml.ts';
import { exchangeSoap } from '../../src/soap/client.ts';
import fs from 'node:fs';
import os from 'node:os';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { regionCerts, type RegionCerts } from '../helpers/tlsNodes.ts';
import { DICOM_AUDIT_SCHEMA, expectSchemaValid } from '../helpers/xds.ts';
import { uniqueOid } from '../helpers/xdsMetadata.ts';
import { APPROVED, findDocuments, QUERY, storedQuery } from '../helpers/xdsQuery.ts';
import {
  bodyOfEnvelope,
  callAs,
  documentsOf,
  errorsOf,
  feedRegionPatient,
  objectsOf,
  provide,
  REGIONS,
  regionalPid,
  regionServerConfig,
  sample,
  statusOf,
  tokenPid,
  XCA_ACTIONS,
  xopInfoset,
} from '../helpers/xca.ts';

const A = REGIONS.a;
const B = REGIONS.b;
const RG = '/services/xca/responding';
const PSY: [string, string] = ['PSY', '1.2.392.999.9.1'];
const xcaFile = (f: string) => path.join(conformanceDir(), 'xca', f);

describe('XCA Responding Gateway: ITI-38 and ITI-39 from a peer region (e2e, TLS)', function () {
  this.timeout(120_000);
  let certs: RegionCerts;
  let idp: TestIdp;
  let s: TestServer;
  let token: string;
  let personId: number;
  const docs: { uniqueId: string; uuid: string }[] = [];
  const envelopes: string[] = [];
  const keep = (a: SoapAnswer) => (envelopes.push(a.attachments.length ? xopInfoset(a) : a.envelopeXml), a);
  const asB = () => ({ ca: certs.ca, ...certs.node('region-b') });
  const query = async (bodyXml: string) => keep(await callAs(s, asB(), RG, XCA_ACTIONS.iti38, bodyXml));
  const retrieve = async (bodyXml: string) => keep(await callAs(s, asB(), RG, XCA_ACTIONS.iti39, bodyXml));
  const setConsent = (t: Partial<ConsentTerms>) => s.app.store.write((tx) => s.app.consent.set(tx, personId, { ...emptyTerms(), ...t }, { who: 'desk', source: { kind: 'desk' } }));

  before(async () => {
    certs = await regionCerts(['region-b', 'ehr-a', 'hosp-c']);
    idp = makeIdp('xca-idp');
    s = await startTestServer(
      regionServerConfig(A, certs, [B], { extraNodes: [{ name: 'hosp-c', subject: 'CN=hosp-c', roles: ['consumer'] }], xua: { identityProviders: [{ name: 'xca-idp', cert: idp.certFile, issuer: idp.issuer }] } }),
    );
    token = s.app.tokenIssuer.issue('123456789018');
    await feedRegionPatient(s, A, 'XA-1', token);
    personId = (await s.app.store.read((tx) => tx.identity.personByRegionalId('XA-1')))!.id;
    const spec = { patientId: regionalPid('XA-1', A), docs: [{ uniqueId: uniqueOid(), content: Buffer.from('discharge summary A') }, { uniqueId: uniqueOid(), classCode: PSY, content: Buffer.from('psychiatry note A') }] };
    await provide(s, { ca: certs.ca, ...certs.node('ehr-a') }, spec);
    for (const d of spec.docs) {
      const [e] = await s.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [d.uniqueId!]));
      docs.push({ uniqueId: d.uniqueId!, uuid: e.uuid });
    }
    await setConsent({ participation: 'opted-in', peerRegions: [B.homeCommunityId] });
  });
  after(async () => {
    await s?.stop();
    if (envelopes.length) expectSchemaValid(envelopes);
  });

  it('answers the NIST FindDocuments sample (ITI-38) keyed on the token: home on every object, the class filter applied', async () => {
    const xml = bodyOfEnvelope(sample(xcaFile('nist_soap-xcq-req.xml'), {})).replace("c4d77e21d0dd487^^^&amp;1.3.6.1.4.1.21367.2005.3.7&amp;ISO", tokenPid(token).replace(/&/g, '&amp;'));
    const filtered = await query(xml);
    expect(statusOf(filtered)).to.equal('Success');
    expect(objectsOf(filtered)).to.deep.equal([], "no document of class 'value^^scheme'");
    const all = await query(findDocuments(tokenPid(token)));
    expect(statusOf(all)).to.equal('Success');
    const objects = objectsOf(all);
    expect(objects.map((o) => o.id).sort()).to.deep.equal(docs.map((d) => d.uuid).sort());
    for (const o of objects) expect(o.home, `${o.local} ${o.id}`).to.equal(A.homeCommunityId);
  });

  it('puts home on RegistryPackages, Associations and ObjectRefs too (GetAll, ObjectRef)', async () => {
    const all = await query(storedQuery(QUERY.GetAll, { $patientId: tokenPid(token), $XDSDocumentEntryStatus: [APPROVED], $XDSSubmissionSetStatus: [APPROVED], $XDSFolderStatus: [APPROVED] }));
    const kinds = new Set(objectsOf(all).map((o) => o.local));
    expect([...kinds].sort()).to.deep.equal(['Association', 'ExtrinsicObject', 'RegistryPackage']);
    for (const o of objectsOf(all)) expect(o.home, `${o.local} ${o.id}`).to.equal(A.homeCommunityId);
    const refs = await query(findDocuments(tokenPid(token), {}, 'ObjectRef'));
    expect(objectsOf(refs)).to.have.length(2);
    for (const o of objectsOf(refs)) expect(o).to.include({ local: 'ObjectRef', home: A.homeCommunityId });
  });

  it('answers the NIST GetDocuments sample (AdhocQuery/@home) for this community, XDSUnknownCommunity for another', async () => {
    const ours = await query(sample(xcaFile('nist15808_GetDocuments_home_query.xml'), { home: A.homeCommunityId, doc_uuid_1: docs[0].uuid }));
    expect(statusOf(ours)).to.equal('Success');
    expect(objectsOf(ours)).to.deep.equal([{ local: 'ExtrinsicObject', id: docs[0].uuid, home: A.homeCommunityId }]);
    const other = await query(sample(xcaFile('nist15808_GetDocuments_home_query.xml'), { home: 'urn:oid:1.2.3.4.5', doc_uuid_1: docs[0].uuid }));
    expect(statusOf(other)).to.equal('Failure');
    expect(errorsOf(other)).to.deep.include({ errorCode: 'XDSUnknownCommunity', location: A.homeCommunityId, codeContext: errorsOf(other)[0].codeContext });
    expect(objectsOf(other)).to.deep.equal([]);
  });

  it('answers XDSUnknownPatientId for an unknown token, an ID of another authority, and a patient whose consent does not cover the region', async () => {
    for (const pid of [tokenPid('NOSUCHTOKEN'), `XA-1^^^&1.2.3.4&ISO`]) {
      const r = await query(findDocuments(pid));
      expect(statusOf(r), pid).to.equal('Failure');
      expect(errorsOf(r).map((e) => e.errorCode)).to.deep.equal(['XDSUnknownPatientId']);
    }
    // The region's own regional ID names the patient too (what XCPD would have told the peer).
    expect(objectsOf(await query(findDocuments(regionalPid('XA-1', A))))).to.have.length(2);
    await setConsent({ participation: 'opted-in', peerRegions: [] });
    try {
      const r = await query(findDocuments(tokenPid(token)));
      expect(errorsOf(r).map((e) => e.errorCode)).to.deep.equal(['XDSUnknownPatientId']);
    } finally {
      await setConsent({ participation: 'opted-in', peerRegions: [B.homeCommunityId] });
    }
  });

  it('leaves out a class the patient withheld, in ITI-38 and ITI-39', async () => {
    await setConsent({ participation: 'opted-in', peerRegions: [B.homeCommunityId], withheld: { ...emptyTerms().withheld, classCodes: [{ code: PSY[0], codingScheme: PSY[1] }] } });
    try {
      expect(objectsOf(await query(findDocuments(tokenPid(token)))).map((o) => o.id)).to.deep.equal([docs[0].uuid]);
      const r = await retrieve(sample(xcaFile('nist15809_TwoDocRetrieve.xml'), { home: A.homeCommunityId, repositoryuid: A.repositoryUniqueId, docuid1: docs[0].uniqueId, docuid2: docs[1].uniqueId }));
      expect(statusOf(r)).to.equal('PartialSuccess');
      expect(documentsOf(r).map((d) => d.uniqueId)).to.deep.equal([docs[0].uniqueId]);
      expect(errorsOf(r).map((e) => e.errorCode)).to.deep.equal(['XDSDocumentUniqueIdError']);
    } finally {
      await setConsent({ participation: 'opted-in', peerRegions: [B.homeCommunityId] });
    }
  });

  it('retrieves with the NIST TwoDocRetrieve sample (ITI-39): MTOM, HomeCommunityId on every DocumentResponse, the bytes as provided', async () => {
    const r = await retrieve(sample(xcaFile('nist15809_TwoDocRetrieve.xml'), { home: A.homeCommunityId, repositoryuid: A.repositoryUniqueId, docuid1: docs[0].uniqueId, docuid2: docs[1].uniqueId }));
    expect(statusOf(r)).to.equal('Success');
    expect(r.attachments).to.have.length(2);
    // The request as an MTOM package too (ITI TF-2b 3.39.4.1.2: MTOM in and out).
    const asMtom = keep(await callAs(s, asB(), RG, XCA_ACTIONS.iti39, sample(xcaFile('nist15809_TwoDocRetrieve.xml'), { home: A.homeCommunityId, repositoryuid: A.repositoryUniqueId, docuid1: docs[0].uniqueId, docuid2: docs[1].uniqueId }), true));
    expect(documentsOf(asMtom).map((d) => d.bytes.toString())).to.deep.equal(['discharge summary A', 'psychiatry note A']);
    const got = documentsOf(r);
    expect(got.map((d) => [d.home, d.repository, d.uniqueId, d.bytes.toString()])).to.deep.equal([
      [A.homeCommunityId, A.repositoryUniqueId, docs[0].uniqueId, 'discharge summary A'],
      [A.homeCommunityId, A.repositoryUniqueId, docs[1].uniqueId, 'psychiatry note A'],
    ]);
  });

  it('answers per-document errors: another community, another repository, an unknown document (the NIST request sample)', async () => {
    const xml = bodyOfEnvelope(sample(xcaFile('nist_soap-xcr-req.xml'), {}));
    const r = await retrieve(xml);
    expect(statusOf(r)).to.equal('Failure');
    expect(errorsOf(r).map((e) => e.errorCode)).to.deep.equal(['XDSUnknownCommunity', 'XDSUnknownCommunity']);
    const mixed = await retrieve(
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007">` +
        [
          [A.homeCommunityId, A.repositoryUniqueId, docs[0].uniqueId],
          [A.homeCommunityId, '1.2.3.999', docs[1].uniqueId],
          [A.homeCommunityId, A.repositoryUniqueId, '1.2.3.404'],
        ]
          .map(([h, r, d]) => `<xdsb:DocumentRequest><xdsb:HomeCommunityId>${h}</xdsb:HomeCommunityId><xdsb:RepositoryUniqueId>${r}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${d}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>`)
          .join('') +
        `</xdsb:RetrieveDocumentSetRequest>`,
    );
    expect(statusOf(mixed)).to.equal('PartialSuccess');
    expect(errorsOf(mixed).map((e) => [e.errorCode, e.location])).to.deep.equal([
      ['XDSUnknownRepositoryId', docs[1].uniqueId],
      ['XDSDocumentUniqueIdError', '1.2.3.404'],
    ]);
    expect(documentsOf(mixed).map((d) => d.home)).to.deep.equal([A.homeCommunityId]);
  });

  it("uses the XUA user of the requesting gateway: the user's community decides consent, the user and purpose of use are audited", async () => {
    const url = `https://127.0.0.1:${s.app.ports.http}${RG}`;
    const read = (f: string) => fs.readFileSync(f);
    const asUser = (homeCommunityId: string) =>
      exchangeSoap({
        url,
        action: XCA_ACTIONS.iti38,
        bodyXml: findDocuments(tokenPid(token)),
        headers: securityHeader(signedAssertion(idp, { audiences: [url], homeCommunityId, nameId: 'dr-b@region-b' })),
        tls: { ca: read(certs.ca), cert: read(certs.node('region-b').cert), key: read(certs.node('region-b').key) },
        timeoutMs: 30_000,
        maxResponseBytes: 1 << 24,
        spoolDir: os.tmpdir(),
      });
    const ok = keep(await asUser(B.homeCommunityId));
    expect(objectsOf(ok)).to.have.length(2);
    // A user of a community the consent does not name: the patient is unknown to them.
    const other = keep(await asUser('urn:oid:1.2.392.999.900.7'));
    expect(errorsOf(other).map((e) => e.errorCode)).to.deep.equal(['XDSUnknownPatientId']);
    const events = await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
    const withUser = events.filter((e) => e.eventTypeCode === 'ITI-38' && e.xml.toString().includes('dr-b@region-b'));
    expect(withUser).to.have.length(2);
    expect(withUser[0].xml.toString()).to.contain('PurposeOfUse').and.to.contain('TREATMENT').and.to.contain(`&lt;dr-b@region-b@${idp.issuer}&gt;`);
  });

  it('refuses a node without the gateway role with a SOAP Fault (hie:NotAuthorized)', async () => {
    const f = await faultOf(callAs(s, { ca: certs.ca, ...certs.node('hosp-c') }, RG, XCA_ACTIONS.iti38, findDocuments(tokenPid(token))));
    expect(f.subcode).to.equal('hie:NotAuthorized');
    expect(f.reason).to.match(/ITI-38 refused: node hosp-c has none of the roles gateway/);
    envelopes.push(f.envelopeXml);
  });

  it('audits ITI-38 and ITI-39 as ITI TF-2b 3.38.5.1.2 and 3.39.5.1.2 say, naming the requesting gateway', async () => {
    const events = await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
    const q = events.filter((e) => e.eventTypeCode === 'ITI-38');
    const x = events.filter((e) => e.eventTypeCode === 'ITI-39');
    expect(q.length).to.be.greaterThan(5);
    expect(x.length).to.be.greaterThan(3);
    const ok = q.find((e) => e.outcome === 0)!;
    const xml = ok.xml.toString();
    expect(xml).to.contain('code="110112"').and.to.contain('EventActionCode="E"');
    expect(xml).to.match(/UserIsRequestor="true"[^>]*>\s*<RoleIDCode csd-code="110153"|RoleIDCode[^>]*110153/);
    expect(xml).to.contain('AlternativeUserID="region-b"').and.to.contain('UserID="CN=region-b"');
    expect(xml).to.contain('urn:ihe:iti:xca:2010:homeCommunityId').and.to.contain('csd-code="ITI-38"');
    const r = x.find((e) => e.outcome === 0)!.xml.toString();
    expect(r).to.contain('code="110106"').and.to.contain('EventActionCode="R"').and.to.contain('ihe:homeCommunityID').and.to.contain('AlternativeUserID="region-b"');
    expectSchemaValid([xml, r], DICOM_AUDIT_SCHEMA);
  });
});
