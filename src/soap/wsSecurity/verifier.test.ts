import { expect } from 'chai';
import { assertionXml, EMERGENCY, makeIdp, PHYSICIAN, securityHeader, signAssertion, signedAssertion, type TestIdp } from '../../../test/helpers/saml.ts';
import { requestEnvelope } from '../client.ts';
import { WsSecurityError, type WsseFaultCode } from './errors.ts';
import { headerDocument } from './securityHeader.ts';
import { XuaVerifier } from './verifier.ts';

const ENDPOINT = 'https://hie.example:8443/services/registry';

describe('XUA: the X-Service Provider verifies the X-User Assertion (ITI TF-2b 3.40.4.1.3)', function () {
  this.timeout(20_000);
  let idp: TestIdp;
  let stranger: TestIdp;
  let verifier: XuaVerifier;

  before(() => {
    idp = makeIdp('idp-a');
    stranger = makeIdp('idp-stranger', idp.issuer);
    verifier = new XuaVerifier([{ name: 'idp-a', cert: idp.cert, issuer: idp.issuer }], { audiences: [], clockSkewSeconds: 60 });
  });

  const header = (...tokens: string[]) => headerDocument(requestEnvelope('urn:ihe:iti:2007:RegistryStoredQuery', ENDPOINT, '<q:AdhocQueryRequest xmlns:q="urn:x"/>', undefined, securityHeader(...tokens)));
  const refused = (code: WsseFaultCode, fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e, String(e)).to.be.instanceOf(WsSecurityError);
      expect((e as WsSecurityError).code, (e as Error).message).to.equal(code);
      return (e as Error).message;
    }
    expect.fail(`no ${code}`);
  };

  it('a valid assertion: its subject, attributes and purpose of use for the request context', () => {
    const xml = signedAssertion(idp, {
      id: '_a1',
      nameId: 'dr.sato@hosp-a',
      spProvidedId: 'sato',
      audiences: [ENDPOINT],
      subjectId: '佐藤 花子',
      role: PHYSICIAN,
      organization: 'Hospital A',
      organizationId: 'urn:oid:1.2.392.999.1',
      homeCommunityId: 'urn:oid:1.2.392.999.100',
      npi: '1234567893',
      purposeOfUse: EMERGENCY,
    });
    const v = verifier.verify(header(xml), ENDPOINT);
    expect(v.provider).to.equal('idp-a');
    const { assertionXml, ...user } = v.user;
    // The assertion as it came, still verifiable where an Initiating Gateway sends it (issue 16).
    expect(verifier.verify(header(assertionXml!), ENDPOINT).user.assertionId).to.equal('_a1');
    expect(user).to.deep.equal({
      id: 'dr.sato@hosp-a',
      alias: 'sato',
      name: '佐藤 花子',
      role: { code: PHYSICIAN.code, codeSystem: PHYSICIAN.codeSystem, displayName: 'Physician' },
      organization: 'Hospital A',
      organizationId: 'urn:oid:1.2.392.999.1',
      homeCommunityId: 'urn:oid:1.2.392.999.100',
      npi: '1234567893',
      issuer: idp.issuer,
      assertionId: '_a1',
    });
    expect(v.purposeOfUse).to.deep.equal({ code: 'EMERGENCY', codeSystem: EMERGENCY.codeSystem, displayName: 'Emergency Treatment' });
  });

  it('an assertion signed with RSA-SHA1 is accepted too', () => {
    const xml = signAssertion(assertionXml({ issuer: idp.issuer, audiences: [ENDPOINT] }), idp, 'http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    expect(verifier.verify(header(xml), ENDPOINT).user.id).to.equal('dr.sato');
  });

  it('the audience: a configured one, else the URL the request was sent to; another audience is refused', () => {
    const configured = new XuaVerifier([{ name: 'idp-a', cert: idp.cert }], { audiences: ['urn:hie:region-x'], clockSkewSeconds: 0 });
    expect(configured.verify(header(signedAssertion(idp, { audiences: ['urn:hie:region-x'] })), ENDPOINT).user.id).to.equal('dr.sato');
    refused('FailedAuthentication', () => configured.verify(header(signedAssertion(idp, { audiences: [ENDPOINT] })), ENDPOINT));
    refused('FailedAuthentication', () => verifier.verify(header(signedAssertion(idp, { audiences: ['https://other.example/services/registry'] })), ENDPOINT));
    refused('FailedAuthentication', () => verifier.verify(header(signedAssertion(idp, { audiences: [] })), ENDPOINT));
  });

  it('expired and not yet valid assertions, within and beyond the clock skew', () => {
    // The verifier's clock is fixed, so that the time signing takes on a busy machine moves no boundary.
    const now = Date.now();
    const at = new XuaVerifier([{ name: 'idp-a', cert: idp.cert, issuer: idp.issuer }], { audiences: [], clockSkewSeconds: 60 }, () => now);
    const check = (window: { notBefore?: Date; notOnOrAfter?: Date }) => at.verify(header(signedAssertion(idp, { audiences: [ENDPOINT], ...window })), ENDPOINT);
    refused('InvalidSecurityToken', () => check({ notBefore: new Date(now - 3_600_000), notOnOrAfter: new Date(now - 61_000) }));
    refused('InvalidSecurityToken', () => check({ notBefore: new Date(now + 61_000), notOnOrAfter: new Date(now + 3_600_000) }));
    // 30 s outside the window is within the 60 s skew.
    expect(check({ notBefore: new Date(now - 3_600_000), notOnOrAfter: new Date(now - 30_000) }).user.id).to.equal('dr.sato');
    expect(check({ notBefore: new Date(now + 30_000), notOnOrAfter: new Date(now + 3_600_000) }).user.id).to.equal('dr.sato');
  });

  it('an unsigned assertion, and a SAML 1.1 one', () => {
    refused('InvalidSecurityToken', () => verifier.verify(header(assertionXml({ issuer: idp.issuer, audiences: [ENDPOINT] })), ENDPOINT));
    const saml11 = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" MajorVersion="1" MinorVersion="1" AssertionID="_x" Issuer="${idp.issuer}" IssueInstant="2026-01-01T00:00:00Z"/>`;
    refused('UnsupportedSecurityToken', () => verifier.verify(header(saml11), ENDPOINT));
  });

  it('an assertion signed by a key of no configured identity provider (even one naming its issuer)', () => {
    refused('FailedAuthentication', () => verifier.verify(header(signedAssertion(stranger, { audiences: [ENDPOINT] })), ENDPOINT));
    const other = makeIdp('idp-b');
    refused('FailedAuthentication', () => verifier.verify(header(signedAssertion(other, { audiences: [ENDPOINT] })), ENDPOINT));
  });

  it('another issuer than the provider names, even signed with its key', () => {
    refused('FailedAuthentication', () => verifier.verify(header(signedAssertion(idp, { issuer: 'https://elsewhere.example/idp', audiences: [ENDPOINT] })), ENDPOINT));
  });

  it('tampered after signing: a changed attribute (role, purpose of use), a changed subject, a changed SignatureValue', () => {
    const xml = signedAssertion(idp, { audiences: [ENDPOINT], role: PHYSICIAN, nameId: 'dr.sato' });
    expect(verifier.verify(header(xml), ENDPOINT).user.role?.code).to.equal(PHYSICIAN.code);
    refused('FailedCheck', () => verifier.verify(header(xml.replace(`code="${PHYSICIAN.code}"`, 'code="158965000"')), ENDPOINT));
    refused('FailedCheck', () => verifier.verify(header(xml.replace('>dr.sato<', '>admin<')), ENDPOINT));
    refused('FailedCheck', () => verifier.verify(header(xml.replace('TREATMENT', 'EMERGENCY')), ENDPOINT));
    // The SignatureValue itself changed.
    refused('FailedCheck', () => verifier.verify(header(xml.replace(/<ds:SignatureValue>(.)/, (_m, c: string) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`)), ENDPOINT));
  });

  it('signature wrapping: a second, unsigned assertion beside the signed one', () => {
    const signed = signedAssertion(idp, { audiences: [ENDPOINT], nameId: 'dr.sato' });
    const evil = assertionXml({ issuer: idp.issuer, audiences: [ENDPOINT], nameId: 'admin' });
    refused('InvalidSecurity', () => verifier.verify(header(evil, signed), ENDPOINT));
    refused('InvalidSecurity', () => verifier.verify(header(signed, evil), ENDPOINT));
  });

  it('signature wrapping: the signed assertion moved away, an unsigned one in its place carrying its Signature', () => {
    const signed = signedAssertion(idp, { id: '_orig', audiences: [ENDPOINT], nameId: 'dr.sato' });
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
    const wrapped = `<x:Wrapper xmlns:x="urn:evil">${signed}</x:Wrapper>`;
    // Another ID: the Signature does not reference the assertion that is read.
    const evilOtherId = assertionXml({ id: '_evil', issuer: idp.issuer, audiences: [ENDPOINT], nameId: 'admin' }).replace('</saml2:Issuer>', `</saml2:Issuer>${signature}`);
    refused('FailedCheck', () => verifier.verify(header(evilOtherId, wrapped), ENDPOINT));
    // The same ID twice: which one the signature covers is ambiguous, so neither is taken.
    const evilSameId = assertionXml({ id: '_orig', issuer: idp.issuer, audiences: [ENDPOINT], nameId: 'admin' }).replace('</saml2:Issuer>', `</saml2:Issuer>${signature}`);
    refused('FailedCheck', () => verifier.verify(header(evilSameId, wrapped), ENDPOINT));
    // The signed assertion only inside a wrapper: not a token of the Security header.
    refused('InvalidSecurity', () => verifier.verify(header(wrapped), ENDPOINT));
  });

  it('two Security headers for this endpoint are refused', () => {
    const a = signedAssertion(idp, { audiences: [ENDPOINT] });
    const env = requestEnvelope('urn:a', ENDPOINT, '<b/>', undefined, securityHeader(a) + securityHeader(a.replace(/ID="[^"]+"/, 'ID="_second"')));
    refused('InvalidSecurity', () => verifier.verify(headerDocument(env), ENDPOINT));
  });

  it('unsupported algorithms: a non-exclusive canonicalization', () => {
    const xml = signedAssertion(idp, { audiences: [ENDPOINT] }).replace('<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"', '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"');
    refused('UnsupportedAlgorithm', () => verifier.verify(header(xml), ENDPOINT));
  });

  it('a certificate file that is not a certificate is refused at start', () => {
    expect(() => new XuaVerifier([{ name: 'bad', cert: 'not a certificate' }], { audiences: [], clockSkewSeconds: 0 })).to.throw(/identity provider bad/);
  });
});
