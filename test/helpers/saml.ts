/**
 * A test identity provider (X-Assertion Provider): an RSA key and self-signed certificate made with
 * openssl, and SAML 2.0 X-User Assertions (ITI TF-2b 3.40.4.1.2) built here and signed with
 * xml-crypto as an identity provider signs them (enveloped signature, exclusive c14n, RSA-SHA256).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SignedXml } from 'xml-crypto';
import { NS } from '../../src/soap/namespaces.ts';
import { XuaAttributes } from '../../src/soap/wsSecurity/samlAssertion.ts';
import { escapeAttr, escapeText } from '../../src/xml/write.ts';
import { tempDir } from './hieServer.ts';

export interface TestIdp {
  name: string;
  issuer: string;
  /** PEM files, as config xua.identityProviders[].cert names them. */
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export function makeIdp(name = 'test-idp', issuer = `https://${name}.example/idp`): TestIdp {
  const dir = tempDir('hie-idp-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`], { cwd: dir, stdio: 'pipe' });
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  return { name, issuer, certFile, keyFile, cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}

export interface Code {
  code: string;
  codeSystem: string;
  codeSystemName?: string;
  displayName?: string;
}

export interface AssertionOptions {
  issuer: string;
  id?: string;
  nameId?: string;
  /** The NameID's SPProvidedID (the user's alias in audit messages). */
  spProvidedId?: string;
  /** AudienceRestriction's Audience values; none: no AudienceRestriction. */
  audiences?: string[];
  notBefore?: Date;
  notOnOrAfter?: Date;
  subjectId?: string;
  role?: Code;
  organization?: string;
  organizationId?: string;
  homeCommunityId?: string;
  npi?: string;
  purposeOfUse?: Code;
}

export const PHYSICIAN: Code = { code: '309343006', codeSystem: '2.16.840.1.113883.6.96', codeSystemName: 'SNOMED_CT', displayName: 'Physician' };
export const TREATMENT: Code = { code: 'TREATMENT', codeSystem: '2.16.840.1.113883.3.18.7.1', codeSystemName: 'nhin-purpose', displayName: 'Treatment' };
export const EMERGENCY: Code = { code: 'EMERGENCY', codeSystem: '2.16.840.1.113883.3.18.7.1', codeSystemName: 'nhin-purpose', displayName: 'Emergency Treatment' };

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function ce(element: string, c: Code): string {
  const a = (k: string, v?: string) => (v ? ` ${k}="${escapeAttr(v)}"` : '');
  return `<hl7:${element} xmlns:hl7="${NS.hl7}" xsi:type="hl7:CE"${a('code', c.code)}${a('codeSystem', c.codeSystem)}${a('codeSystemName', c.codeSystemName)}${a('displayName', c.displayName)}/>`;
}

function attribute(name: string, values: string): string {
  return `<saml2:Attribute Name="${name}">${values}</saml2:Attribute>`;
}

/** An unsigned X-User Assertion (SAML 2.0 bearer assertion with the XUA attributes). */
export function assertionXml(o: AssertionOptions): string {
  const now = Date.now();
  const id = o.id ?? `_${randomUUID()}`;
  const notBefore = o.notBefore ?? new Date(now - 60_000);
  const notOnOrAfter = o.notOnOrAfter ?? new Date(now + 5 * 60_000);
  const str = (v: string) => `<saml2:AttributeValue xsi:type="xs:string">${escapeText(v)}</saml2:AttributeValue>`;
  const attrs = [
    o.subjectId !== undefined ? attribute(XuaAttributes.subjectId, str(o.subjectId)) : '',
    o.organization !== undefined ? attribute(XuaAttributes.organization, str(o.organization)) : '',
    o.organizationId !== undefined ? attribute(XuaAttributes.organizationId, str(o.organizationId)) : '',
    o.homeCommunityId !== undefined ? attribute(XuaAttributes.homeCommunityId, str(o.homeCommunityId)) : '',
    o.npi !== undefined ? attribute(XuaAttributes.npi, str(o.npi)) : '',
    o.role ? attribute(XuaAttributes.role, `<saml2:AttributeValue>${ce('Role', o.role)}</saml2:AttributeValue>`) : '',
    o.purposeOfUse ? attribute(XuaAttributes.purposeOfUse, `<saml2:AttributeValue>${ce('PurposeOfUse', o.purposeOfUse)}</saml2:AttributeValue>`) : '',
  ].join('');
  const audiences = o.audiences ?? [];
  return (
    `<saml2:Assertion xmlns:saml2="${NS.saml2}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${id}" IssueInstant="${iso(new Date(now))}" Version="2.0">` +
    `<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${escapeText(o.issuer)}</saml2:Issuer>` +
    `<saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"${o.spProvidedId ? ` SPProvidedID="${escapeAttr(o.spProvidedId)}"` : ''}>${escapeText(o.nameId ?? 'dr.sato')}</saml2:NameID>` +
    `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"/></saml2:Subject>` +
    `<saml2:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}">` +
    (audiences.length ? `<saml2:AudienceRestriction>${audiences.map((a) => `<saml2:Audience>${escapeText(a)}</saml2:Audience>`).join('')}</saml2:AudienceRestriction>` : '') +
    `</saml2:Conditions>` +
    `<saml2:AuthnStatement AuthnInstant="${iso(new Date(now - 120_000))}"><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>` +
    (attrs ? `<saml2:AttributeStatement>${attrs}</saml2:AttributeStatement>` : '') +
    `</saml2:Assertion>`
  );
}

/** The assertion signed by the identity provider: an enveloped ds:Signature after the Issuer (SAML Core 5.4). */
export function signAssertion(xml: string, idp: Pick<TestIdp, 'cert' | 'key'>, signatureAlgorithm = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'): string {
  const sig = new SignedXml({ privateKey: idp.key, publicCert: idp.cert, signatureAlgorithm, canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#' });
  sig.addReference({
    xpath: "/*[local-name(.)='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}

/** A signed X-User Assertion of the identity provider. */
export function signedAssertion(idp: TestIdp, o: Partial<AssertionOptions> = {}): string {
  return signAssertion(assertionXml({ issuer: idp.issuer, subjectId: 'Sato Hanako', role: PHYSICIAN, purposeOfUse: TREATMENT, ...o }), idp);
}

/** The wsse:Security header block carrying tokens (OASIS WSS 1.1 SAML Token Profile 1.1, 3.3). */
export function securityHeader(...tokens: string[]): string {
  return `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:env="${NS.soap12}" env:mustUnderstand="true">${tokens.join('')}</wsse:Security>`;
}
