/**
 * XUA over real SOAP and real TLS: the XDS endpoints as X-Service Provider (ITI TF-2b 3.40). Nodes
 * are named by certificates from `hie certs`, the identity provider's key and certificate are made
 * with openssl, and the assertions signed with xml-crypto as an identity provider signs them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { callSoap, SoapFaultError } from '../../src/soap/client.ts';
import { hie } from '../helpers/hieCommand.ts';
import { tempDir } from '../helpers/hieServer.ts';
import { assertionXml, EMERGENCY, makeIdp, securityHeader, signedAssertion, type TestIdp } from '../helpers/saml.ts';
import { faultOf, securityAlerts } from '../helpers/soapFaults.ts';
import { ACTIONS, DICOM_AUDIT_SCHEMA, expectSchemaValid, pid, startXdsServer, STATUS } from '../helpers/xds.ts';
import type { TestServer } from '../helpers/hieServer.ts';
import { submitObjectsRequest, uniqueOid } from '../helpers/xdsMetadata.ts';
import { APPROVED, QUERY, storedQuery } from '../helpers/xdsQuery.ts';

describe('XUA at the XDS endpoints over TLS (ITI-40 X-Service Provider)', function () {
  this.timeout(120_000);
  let s: TestServer;
  let certs: string;
  let idp: TestIdp;
  let impostor: TestIdp;
  let url: string;
  const faults: string[] = [];
  const query = storedQuery(QUERY.FindDocuments, { $XDSDocumentEntryPatientId: pid('XUA1'), $XDSDocumentEntryStatus: [APPROVED] });

  before(async () => {
    certs = path.join(tempDir(), 'certs');
    const r = await hie(['certs', '--out', certs, 'server', 'hosp-a', 'viewer']);
    expect(r.code, r.stderr).to.equal(0);
    idp = makeIdp('xua-idp');
    // Another key that claims the same issuer.
    impostor = makeIdp('xua-impostor', idp.issuer);
    const p = (f: string) => path.join(certs, f);
    ({ s } = await startXdsServer(['XUA1'], {
      http: { tls: { cert: p('server.pem'), key: p('server.key'), ca: p('ca.pem') } },
      nodes: [
        { name: 'hosp-a', subject: 'CN=hosp-a', roles: ['source', 'consumer'], requireAssertion: true },
        { name: 'viewer', subject: 'CN=viewer', roles: ['consumer'] },
      ],
      xua: { identityProviders: [{ name: 'xua-idp', cert: idp.certFile, issuer: idp.issuer }] },
    }));
    url = `https://127.0.0.1:${s.app.ports.http}/services/registry`;
  });
  after(async () => {
    await s?.stop();
    if (faults.length) expectSchemaValid(faults);
  });

  const read = (f: string) => fs.readFileSync(path.join(certs, f));
  const call = (node: string, headers?: string, action: string = ACTIONS.iti18, bodyXml = query) =>
    callSoap({ url, action, bodyXml, headers, tls: { ca: read('ca.pem'), cert: read(`${node}.pem`), key: read(`${node}.key`) } }).catch((e) => {
      if (e instanceof SoapFaultError) faults.push(e.envelopeXml);
      throw e;
    });
  const alerts = () => securityAlerts(s.app.store);
  const valid = (o: Parameters<typeof signedAssertion>[1] = {}) => securityHeader(signedAssertion(idp, { audiences: [url], ...o }));

  it('answers an ITI-18 that carries a valid assertion', async () => {
    const body = await call('viewer', valid());
    expect(body.local).to.equal('AdhocQueryResponse');
    expect(body.attrs.status).to.equal(STATUS.success);
  });

  it('a node configured to need an assertion is refused without one (wsse:InvalidSecurity) and answered with one', async () => {
    const before = (await alerts()).length;
    const f = await faultOf(call('hosp-a'));
    expect(f.status).to.equal(400);
    expect(f.code).to.equal('env:Sender');
    expect(f.subcode).to.equal('wsse:InvalidSecurity');
    const got = (await alerts()).slice(before);
    expect(got).to.have.length(1);
    expect(got[0].xml).to.contain('UserID="CN=hosp-a"').and.to.contain('AlternativeUserID="hosp-a"');
    expect((await call('hosp-a', valid())).attrs.status).to.equal(STATUS.success);
  });

  const now = Date.now();
  const cases: [string, () => string, string][] = [
    ['expired', () => valid({ notBefore: new Date(now - 7_200_000), notOnOrAfter: new Date(now - 3_600_000) }), 'wsse:InvalidSecurityToken'],
    ['not yet valid', () => valid({ notBefore: new Date(now + 3_600_000), notOnOrAfter: new Date(now + 7_200_000) }), 'wsse:InvalidSecurityToken'],
    ['unsigned', () => securityHeader(assertionXml({ issuer: idp.issuer, audiences: [url] })), 'wsse:InvalidSecurityToken'],
    ['tampered after signing (the subject)', () => valid({ nameId: 'dr.sato' }).replace('>dr.sato<', '>admin<'), 'wsse:FailedCheck'],
    ['signed by a key of no configured identity provider', () => securityHeader(signedAssertion(impostor, { audiences: [url] })), 'wsse:FailedAuthentication'],
    ['for another audience', () => valid({ audiences: ['https://elsewhere.example/services/registry'] }), 'wsse:FailedAuthentication'],
    ['of another issuer', () => valid({ issuer: 'https://elsewhere.example/idp' }), 'wsse:FailedAuthentication'],
    ['wrapped: a second, unsigned assertion beside the signed one', () => securityHeader(assertionXml({ issuer: idp.issuer, audiences: [url], nameId: 'admin' }), signedAssertion(idp, { audiences: [url] })), 'wsse:InvalidSecurity'],
  ];
  for (const [what, header, subcode] of cases) {
    it(`refuses an assertion ${what} with ${subcode}, and leaves a Security Alert naming the node`, async () => {
      const before = (await alerts()).length;
      const f = await faultOf(call('viewer', header()));
      expect(f.code).to.equal('env:Sender');
      expect(f.subcode, f.reason).to.equal(subcode);
      expect(f.reason).to.match(/^X-User Assertion refused: /);
      const got = (await alerts()).slice(before);
      expect(got).to.have.length(1);
      expect(got[0].xml).to.contain('UserID="CN=viewer"').and.to.contain('AlternativeUserID="viewer"');
      expect(got[0].xml).to.contain('code="110132"');
    });
  }

  it('a present assertion must be valid even where none is required; the refused request changed nothing', async () => {
    const spec = { patientId: pid('XUA1'), docs: [{ uniqueId: uniqueOid('1.2.392.999.1') }] };
    await faultOf(call('hosp-a', valid({ audiences: ['urn:elsewhere'] }), ACTIONS.iti42, submitObjectsRequest(spec)));
    const found = await call('viewer', valid(), ACTIONS.iti18, query);
    expect(found.children.find((c) => c.local === 'RegistryObjectList')?.children ?? []).to.have.length(0);
  });

  it('carries the verified user and purpose of use in the request context: a refusal by role names them', async () => {
    const before = (await alerts()).length;
    const header = valid({ nameId: 'dr.sato', spProvidedId: 'sato.h', subjectId: 'Sato Hanako', purposeOfUse: EMERGENCY });
    const f = await faultOf(call('viewer', header, ACTIONS.iti42, submitObjectsRequest({ patientId: pid('XUA1'), docs: [{}] })));
    expect(f.subcode).to.equal('hie:NotAuthorized');
    const got = (await alerts()).slice(before);
    expect(got).to.have.length(1);
    // ITI TF-2b 3.40.4.2: alias<user@issuer>, the alias the NameID's SPProvidedID.
    expect(got[0].xml).to.contain(`UserName="sato.h&lt;dr.sato@${idp.issuer}&gt;"`);
    expect(got[0].xml).to.contain('<PurposeOfUse csd-code="EMERGENCY"');
    expectSchemaValid([got[0].xml], DICOM_AUDIT_SCHEMA);
  });
});
