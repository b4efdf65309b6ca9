/**
 * IUA and mutual TLS together on the FHIR base (issue 18): the node comes from the client
 * certificate as on every listener, the user from the bearer token; both are the request context
 * consent and audit see. A token bound to a certificate (RFC 8705 cnf x5t#S256) is taken only with
 * that certificate; node authorization still applies to a valid token.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import type { Bundle } from 'fhir/r4.js';
import { valid } from '../helpers/fhirClient.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { testIssuer, type TestIssuer } from '../helpers/iuaTokens.ts';
import { adt } from '../helpers/messages.ts';
import { httpsRequest, regionCerts, regionConfig, type RegionCerts } from '../helpers/tlsNodes.ts';

describe('IUA over mutual TLS: the node from the certificate, the user from the token', function () {
  this.timeout(120_000);
  let certs: RegionCerts;
  let s: TestServer;
  let idp: TestIssuer;

  before(async () => {
    certs = await regionCerts(['hosp-a', 'hosp-b', 'auditor-node']);
    idp = await testIssuer();
    // The FHIR schema is compiled here, not in a pause between two requests of a test.
    valid({ resourceType: 'Bundle', type: 'searchset' });
    const region = regionConfig(certs);
    s = await startTestServer({ identity: { domains: region.domains }, http: { tls: region.tls }, nodes: region.nodes, iua: { issuers: [idp.config] } } as never);
    await s.send(adt({ ids: ['TLS-1^^^HOSP_A&1.2.392.999.1&ISO'], name: '高橋^花子^^^^^L^I', version: '2.5' }));
  });
  after(() => s?.stop());

  const get = async (node: string, path: string, token?: string) => {
    const a = await httpsRequest(s.app.ports.http!, `/fhir${path}`, { ca: certs.ca, ...certs.node(node) }, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect(a.contentType).to.match(/^application\/fhir\+json/);
    return { status: a.status, body: valid(JSON.parse(a.body.toString('utf8'))) };
  };
  const thumbprint = (node: string) => Buffer.from(new X509Certificate(fs.readFileSync(certs.node(node).cert)).fingerprint256.replace(/:/g, ''), 'hex').toString('base64url');
  const search = '/Patient?identifier=' + encodeURIComponent('urn:oid:1.2.392.999.1|TLS-1');

  it('answers hosp-a with a token: its own patient found, the audit naming the node and the user', async () => {
    expect((await get('hosp-a', search)).status, 'no token').to.equal(401);
    const r = await get('hosp-a', search, await idp.token());
    expect(r.status).to.equal(200);
    expect((r.body as Bundle).entry).to.have.length(1);
    await s.app.atna.ingest.flushed();
    const e = (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).reverse().find((x) => x.transport === 'self' && x.xml.includes('csd-code="ITI-78"'))!;
    expect(e.xml).to.include('UserID="CN=hosp-a"');
    expect(e.xml).to.include(`&lt;dr-sato@${idp.issuer}&gt;`);
  });

  it('takes a certificate-bound token only with its certificate', async () => {
    const bound = await idp.token({ cnf: { 'x5t#S256': thumbprint('hosp-b') } });
    const wrong = await get('hosp-a', search, bound);
    expect(wrong.status).to.equal(401);
    const right = await get('hosp-b', search, bound);
    expect(right.status).to.equal(200);
    // hosp-b holds no record of the patient, who is not enrolled: not found.
    expect((right.body as Bundle).entry ?? []).to.have.length(0);
  });

  it('keeps node authorization under a valid token: the auditor node may read the audit trail, not query patients', async () => {
    const token = await idp.token();
    expect((await get('auditor-node', search, token)).status).to.equal(403);
    expect((await get('auditor-node', '/AuditEvent?_count=1', token)).status).to.equal(200);
  });
});
