/**
 * The Initiating Gateway conveys the local consumer's X-User Assertion to a peer whose link says so
 * (xca.communities[].forwardAssertion, issue 16): the peer's Responding Gateway verifies it (same
 * identity provider, a shared audience) and decides consent on the same user and purpose of use, so
 * that an emergency access in B reaches what A's consent withholds, and A's audit names the user.
 * A link without forwardAssertion asks as the gateway node alone. Two real servers over TLS.
 */
import fs from 'node:fs';
import os from 'node:os';
import { expect } from 'chai';
import { emptyTerms, type ConsentTerms } from '../../src/consent/model.ts';
import { exchangeSoap, type SoapAnswer } from '../../src/soap/client.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { EMERGENCY, makeIdp, securityHeader, signedAssertion, TREATMENT, type TestIdp } from '../helpers/saml.ts';
import { regionCerts, type RegionCerts } from '../helpers/tlsNodes.ts';
import { ACTIONS, expectSchemaValid } from '../helpers/xds.ts';
import { uniqueOid } from '../helpers/xdsMetadata.ts';
import { findDocuments } from '../helpers/xdsQuery.ts';
import { feedRegionPatient, objectsOf, provide, REGION_NODES, REGIONS, regionalPid, regionServerConfig, statusOf, type RegionSpec } from '../helpers/xca.ts';

const { a: A, b: B } = REGIONS;
const RG = '/services/xca/responding';
const IG = '/services/xca/initiating';
const PSY: [string, string] = ['PSY', '1.2.392.999.9.1'];
/** The audience every region's XUA accepts: the network's, not one endpoint's URL. */
const AUDIENCE = 'urn:oid:1.2.392.999.900';

describe('XCA with XUA: the Initiating Gateway conveys the consumer\'s assertion (e2e, two servers over TLS)', function () {
  this.timeout(180_000);
  let certs: RegionCerts;
  let idp: TestIdp;
  let a: TestServer;
  const gateways: TestServer[] = [];
  const envelopes: string[] = [];
  const docs: Record<string, string> = {};

  const xua = () => ({ identityProviders: [{ name: 'network-idp', cert: idp.certFile, issuer: idp.issuer }], audiences: [AUDIENCE] });
  const peerA = (forwardAssertion: boolean) => ({
    homeCommunityId: A.homeCommunityId,
    name: 'region-a',
    queryUrl: `https://127.0.0.1:${a.app.ports.http}${RG}`,
    retrieveUrl: `https://127.0.0.1:${a.app.ports.http}${RG}`,
    timeoutMs: 10_000,
    forwardAssertion,
    tls: { ca: certs.ca, ...certs.node('region-b') },
  });
  const gatewayB = async (forwardAssertion: boolean) => {
    const g = await startTestServer(
      regionServerConfig(B, certs, [A], { xua: xua(), xca: { communities: [peerA(forwardAssertion)] } }),
    );
    gateways.push(g);
    await feedRegionPatient(g, B, 'PB-1', token);
    await optIn(g, 'PB-1', {});
    return g;
  };
  let token: string;
  const optIn = (server: TestServer, regional: string, t: Partial<ConsentTerms>) =>
    server.app.store.write(async (tx) => server.app.consent.set(tx, (await tx.identity.personByRegionalId(regional))!.id, { ...emptyTerms(), participation: 'opted-in', ...t }, { who: 'desk', source: { kind: 'desk' } }));

  /** ITI-18 at B's Initiating Gateway by B's EHR, with an assertion of dr.sato for `purpose`. */
  const askB = async (g: TestServer, purpose: typeof EMERGENCY): Promise<SoapAnswer> => {
    const read = (f?: string) => (f ? fs.readFileSync(f) : undefined);
    const node = certs.node('ehr-b');
    const x = await exchangeSoap({
      url: `https://127.0.0.1:${g.app.ports.http}${IG}`,
      action: ACTIONS.iti18,
      bodyXml: findDocuments(regionalPid('PB-1', B)),
      headers: securityHeader(signedAssertion(idp, { audiences: [AUDIENCE], nameId: 'dr.sato', subjectId: 'Sato Hanako', purposeOfUse: purpose })),
      tls: { ca: read(certs.ca), cert: read(node.cert), key: read(node.key) },
      timeoutMs: 30_000,
      maxResponseBytes: 64 * 1024 * 1024,
      spoolDir: os.tmpdir(),
    });
    envelopes.push(x.envelopeXml);
    return x;
  };
  const uidsOf = (x: SoapAnswer) => {
    const list = x.body.children.find((c) => c.local === 'RegistryObjectList')!;
    return list.children
      .filter((c) => c.local === 'ExtrinsicObject')
      .map((eo) => eo.children.find((c) => c.local === 'ExternalIdentifier' && c.attrs.identificationScheme === 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab')!.attrs.value);
  };
  const auditsAtA = async () => (await a.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.eventTypeCode === 'ITI-38').map((e) => e.xml.toString());

  before(async () => {
    certs = await regionCerts(REGION_NODES);
    idp = makeIdp('network-idp');
    a = await startTestServer(
      regionServerConfig(A, certs, [], {
        xua: xua(),
        // Region B's gateway may break the glass in an emergency (its user's purpose of use).
        extraNodes: [{ name: 'region-b', subject: 'CN=region-b', roles: ['gateway'], homeCommunityId: B.homeCommunityId, breakGlass: ['EMERGENCY'] }],
      }),
    );
    token = a.app.tokenIssuer.issue('123456789018');
    await feedRegionPatient(a, A, 'PA-1', token);
    for (const [content, classCode] of [
      ['discharge summary from A', undefined],
      ['psychiatry note from A', PSY],
    ] as [string, [string, string] | undefined][]) {
      const uniqueId = uniqueOid();
      await provide(a, { ca: certs.ca, ...certs.node('ehr-a') }, { patientId: regionalPid('PA-1', A as RegionSpec), docs: [{ uniqueId, content: Buffer.from(content), ...(classCode ? { classCode } : {}) }] });
      docs[content] = uniqueId;
    }
    await optIn(a, 'PA-1', { peerRegions: [B.homeCommunityId], withheld: { ...emptyTerms().withheld, classCodes: [{ code: PSY[0], codingScheme: PSY[1] }] } });
  });
  after(async () => {
    for (const g of gateways) await g.stop();
    await a?.stop();
    if (envelopes.length) expectSchemaValid(envelopes);
  });

  it('conveys the assertion: A verifies it, audits the user, and an emergency in B sees what consent withholds', async () => {
    const g = await gatewayB(true);
    const before = (await auditsAtA()).length;
    const treatment = await askB(g, TREATMENT);
    expect(statusOf(treatment)).to.equal('Success');
    expect(uidsOf(treatment)).to.deep.equal([docs['discharge summary from A']]);
    const emergency = await askB(g, EMERGENCY);
    expect(statusOf(emergency)).to.equal('Success');
    expect(uidsOf(emergency)).to.have.members([docs['discharge summary from A'], docs['psychiatry note from A']]);
    expect(objectsOf(emergency).every((o) => o.home === A.homeCommunityId)).to.equal(true);
    const audits = (await auditsAtA()).slice(before);
    expect(audits).to.have.length(2);
    // The requester is the user of the assertion (ITI TF-2b 3.40.4.2), through region-b's gateway.
    for (const xml of audits) expect(xml).to.contain('dr.sato').and.to.contain('AlternativeUserID="region-b"');
    expect(audits[1]).to.contain('EMERGENCY');
  });

  it('asks as the gateway node alone on a link without forwardAssertion: no user at A, and consent holds', async () => {
    const g = await gatewayB(false);
    const before = (await auditsAtA()).length;
    const emergency = await askB(g, EMERGENCY);
    expect(statusOf(emergency)).to.equal('Success');
    expect(uidsOf(emergency)).to.deep.equal([docs['discharge summary from A']]);
    const audits = (await auditsAtA()).slice(before);
    expect(audits).to.have.length(1);
    expect(audits[0]).to.contain('AlternativeUserID="region-b"').and.not.to.contain('dr.sato');
  });
});
