/**
 * The X-Service Provider's check of an X-User Assertion (XUA, ITI TF-2b 3.40.4.1.3): a SAML 2.0
 * assertion carried as a token of the wsse:Security header (OASIS WSS 1.1 SAML Token Profile). It is
 * taken only as the single Assertion child of the single Security header, its enveloped XML
 * Signature (exclusive c14n, SAML Core 5.4) is checked with xml-crypto against the certificates of
 * the configured identity providers, and everything read afterwards comes from the bytes that
 * signature covers (the canonical form xml-crypto returns), so that a second, unsigned or moved
 * assertion (signature wrapping) is never what is read. Then the validity window (with clock skew),
 * the audience and the issuer. Each refusal is a WsSecurityError with its WSS fault code.
 */
import { X509Certificate } from 'node:crypto';
import { XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { AssertionCode, RequestUser } from '../../kernel/requestContext.ts';
import { NS } from '../namespaces.ts';
import { attr, childElement, childElements, DomError, parseDom, textOf } from './dom.ts';
import { WsSecurityError } from './errors.ts';
import { readAssertion, userOf, type SamlAssertion } from './samlAssertion.ts';
import { addressedHere } from './securityHeader.ts';

export interface IdentityProvider {
  name: string;
  /** The certificate it signs assertions with, PEM. */
  cert: string;
  /** The Issuer its assertions carry; any issuer when absent. */
  issuer?: string;
}

export interface XuaPolicy {
  /** Accepted AudienceRestriction values; empty: the URL the request was sent to. */
  audiences: readonly string[];
  clockSkewSeconds: number;
}

export interface VerifiedAssertion {
  user: RequestUser;
  purposeOfUse?: AssertionCode;
  /** The identity provider whose certificate verified the signature. */
  provider: string;
}

/** What the SOAP edge asks of an X-Service Provider. */
export interface AssertionVerifier {
  /** `headerDocument`: the envelope's text up to its Header's end (securityHeader.ts); `endpoint`: the URL the request was sent to. */
  verify(headerDocument: string, endpoint: string): VerifiedAssertion;
}

const EXC_C14N = ['http://www.w3.org/2001/10/xml-exc-c14n#', 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments'];
/** SAML Core 5.4.4: the enveloped-signature transform and exclusive canonicalization, nothing else. */
const TRANSFORMS = new Set(['http://www.w3.org/2000/09/xmldsig#enveloped-signature', ...EXC_C14N]);
const SIGNATURE_METHODS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
]);
const DIGEST_METHODS = new Set(['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512', 'http://www.w3.org/2000/09/xmldsig#sha1']);

const fail = (code: WsSecurityError['code'], m: string) => new WsSecurityError(code, m);

interface LoadedProvider extends IdentityProvider {
  x509: X509Certificate;
}

export class XuaVerifier implements AssertionVerifier {
  private readonly providers: LoadedProvider[];

  constructor(
    providers: readonly IdentityProvider[],
    private readonly policy: XuaPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.providers = providers.map((p) => {
      try {
        return { ...p, x509: new X509Certificate(p.cert) };
      } catch (e) {
        throw new Error(`identity provider ${p.name}: the certificate is not a PEM X.509 certificate (${e instanceof Error ? e.message : String(e)})`);
      }
    });
  }

  verify(headerDocument: string, endpoint: string): VerifiedAssertion {
    const { assertion, signature, id } = this.locate(headerDocument);
    checkSignedInfo(signature, id);
    const claimedIssuer = textOf(childElement(assertion, NS.saml2, 'Issuer'));
    const { provider, signed } = this.checkSignature(headerDocument, signature, claimedIssuer);
    const a = readAssertion(signed);
    if (a.id !== id) throw fail('FailedCheck', 'the signed element is not the assertion of the Security header');
    if (provider.issuer && a.issuer !== provider.issuer) throw fail('FailedAuthentication', `the assertion's issuer is not the one identity provider ${provider.name} uses`);
    this.checkWindow(a);
    this.checkAudience(a, endpoint);
    const { user, purposeOfUse } = userOf(a);
    // The assertion element as it came (its signature still verifies: exclusive c14n, SAML Core 5.4.3).
    return { user: { ...user, assertionXml: new XMLSerializer().serializeToString(assertion) }, ...(purposeOfUse ? { purposeOfUse } : {}), provider: provider.name };
  }

  /** The one Security header addressed here, its one SAML 2.0 Assertion child, and that assertion's Signature child. */
  private locate(headerDocument: string): { assertion: Element; signature: Element; id: string } {
    let doc: Document;
    try {
      doc = parseDom(headerDocument);
    } catch (e) {
      throw fail('InvalidSecurity', `the Security header cannot be read: ${e instanceof DomError ? e.message : String(e)}`);
    }
    const header = childElement(doc.documentElement!, NS.soap12, 'Header');
    const securities = header ? childElements(header, NS.wsse, 'Security').filter((s) => addressedHere(s.getAttributeNS(NS.soap12, 'role'))) : [];
    if (securities.length !== 1) throw fail('InvalidSecurity', `${securities.length} wsse:Security headers are addressed to this endpoint; one is accepted`);
    const tokens = childElements(securities[0]).filter((c) => c.localName === 'Assertion');
    if (tokens.some((t) => t.namespaceURI === NS.saml1)) throw fail('UnsupportedSecurityToken', 'a SAML 1.x assertion: XUA takes a SAML 2.0 assertion (ITI TF-2b 3.40.4.1.2)');
    const assertions = tokens.filter((t) => t.namespaceURI === NS.saml2);
    if (assertions.length !== 1) throw fail('InvalidSecurity', `the Security header carries ${assertions.length} SAML assertions; one is accepted`);
    const assertion = assertions[0];
    const id = attr(assertion, 'ID');
    if (!id) throw fail('InvalidSecurityToken', 'the assertion has no ID');
    const signatures = childElements(assertion, NS.ds, 'Signature');
    if (signatures.length === 0) throw fail('InvalidSecurityToken', 'the assertion is not signed: an X-User Assertion is signed by its identity provider (SAML Core 5)');
    if (signatures.length > 1) throw fail('InvalidSecurityToken', 'the assertion has more than one Signature');
    return { assertion, signature: signatures[0], id };
  }

  private checkSignature(headerDocument: string, signature: Element, claimedIssuer: string): { provider: LoadedProvider; signed: Element } {
    const now = this.now();
    const candidates = this.providers.filter((p) => (!p.issuer || p.issuer === claimedIssuer) && Date.parse(p.x509.validFrom) <= now && now < Date.parse(p.x509.validTo));
    if (candidates.length === 0) throw fail('FailedAuthentication', `no configured identity provider (with a certificate valid now) issues assertions as '${claimedIssuer}'`);
    for (const provider of candidates) {
      const sig = new SignedXml({ publicCert: provider.cert, getCertFromKeyInfo: () => null });
      sig.loadSignature(signature);
      let valid: boolean;
      try {
        valid = sig.checkSignature(headerDocument);
      } catch {
        // The SignatureValue does not verify with this provider's key (or the document is refused,
        // e.g. two elements with the assertion's ID): try the next provider, then tell which it was.
        continue;
      }
      if (!valid) throw fail('FailedCheck', 'the signed assertion does not match its digest: it was changed after signing');
      const refs = sig.getSignedReferences();
      if (refs.length !== 1) throw fail('FailedCheck', 'the signature does not cover exactly the assertion');
      let signed: Element;
      try {
        signed = parseDom(refs[0]).documentElement!;
      } catch {
        throw fail('FailedCheck', 'the signed content cannot be read');
      }
      return { provider, signed };
    }
    if (keyInfoVerifies(headerDocument, signature) === false) throw fail('FailedCheck', 'the assertion\'s signature does not verify: it was changed after signing');
    throw fail('FailedAuthentication', 'the assertion is not signed by a configured identity provider');
  }

  private checkWindow(a: SamlAssertion): void {
    const now = this.now();
    const skew = this.policy.clockSkewSeconds * 1000;
    const instant = (v: string, what: string) => {
      // xs:dateTime (SAML Core 1.3.3: UTC, with a Z); Date.parse also takes an offset.
      const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) ? Date.parse(v) : NaN;
      if (Number.isNaN(t)) throw fail('InvalidSecurityToken', `the assertion's ${what} '${v}' is not an xs:dateTime`);
      return t;
    };
    for (const nb of a.notBefore) if (instant(nb, 'NotBefore') - skew > now) throw fail('InvalidSecurityToken', `the assertion is not valid before ${nb}`);
    for (const na of a.notOnOrAfter) if (now - skew >= instant(na, 'NotOnOrAfter')) throw fail('InvalidSecurityToken', `the assertion expired at ${na}`);
  }

  private checkAudience(a: SamlAssertion, endpoint: string): void {
    const accepted = new Set((this.policy.audiences.length ? this.policy.audiences : [endpoint]).map(normalizeUri));
    if (a.audienceRestrictions.length === 0) throw fail('FailedAuthentication', 'the assertion names no audience (Conditions/AudienceRestriction)');
    // SAML Core 2.5.1.4: each AudienceRestriction must name this party.
    for (const r of a.audienceRestrictions) {
      if (!r.some((x) => accepted.has(normalizeUri(x)))) throw fail('FailedAuthentication', `the assertion is for another audience (${r.join(', ')})`);
    }
  }
}

/** Algorithms and the reference of SignedInfo: SAML Core 5.4 (one Reference, to the assertion's ID; exclusive c14n). */
function checkSignedInfo(signature: Element, id: string): void {
  const si = childElement(signature, NS.ds, 'SignedInfo');
  if (!si) throw fail('InvalidSecurityToken', 'the Signature has no SignedInfo');
  const algorithm = (el: Element | undefined) => (el && attr(el, 'Algorithm')) ?? '';
  const c14n = algorithm(childElement(si, NS.ds, 'CanonicalizationMethod'));
  if (!EXC_C14N.includes(c14n)) throw fail('UnsupportedAlgorithm', `canonicalization ${c14n || '(none)'}: exclusive canonicalization is required (SAML Core 5.4.3)`);
  const method = algorithm(childElement(si, NS.ds, 'SignatureMethod'));
  if (!SIGNATURE_METHODS.has(method)) throw fail('UnsupportedAlgorithm', `signature method ${method || '(none)'} is not accepted`);
  const refs = childElements(si, NS.ds, 'Reference');
  if (refs.length !== 1) throw fail('InvalidSecurityToken', `the Signature has ${refs.length} References; SAML Core 5.4.2 asks for one`);
  if (attr(refs[0], 'URI') !== `#${id}`) throw fail('FailedCheck', 'the signature does not reference the assertion of the Security header (SAML Core 5.4.2)');
  const transforms = childElement(refs[0], NS.ds, 'Transforms');
  for (const t of transforms ? childElements(transforms, NS.ds, 'Transform') : []) {
    if (!TRANSFORMS.has(algorithm(t))) throw fail('UnsupportedAlgorithm', `transform ${algorithm(t) || '(none)'} is not accepted (SAML Core 5.4.4)`);
  }
  const digest = algorithm(childElement(refs[0], NS.ds, 'DigestMethod'));
  if (!DIGEST_METHODS.has(digest)) throw fail('UnsupportedAlgorithm', `digest method ${digest || '(none)'} is not accepted`);
}

/**
 * Whether the certificate the Signature carries in its KeyInfo verifies it (undefined: it carries
 * none). Only to tell an untrusted signer (FailedAuthentication) from a broken signature (FailedCheck).
 */
function keyInfoVerifies(headerDocument: string, signature: Element): boolean | undefined {
  const keyInfo = childElement(signature, NS.ds, 'KeyInfo');
  const data = keyInfo && childElement(keyInfo, NS.ds, 'X509Data');
  if (!data || !childElement(data, NS.ds, 'X509Certificate')) return undefined;
  const sig = new SignedXml({ getCertFromKeyInfo: SignedXml.getCertFromKeyInfo });
  try {
    sig.loadSignature(signature);
    return sig.checkSignature(headerDocument) === true;
  } catch {
    return false;
  }
}

function normalizeUri(u: string): string {
  try {
    return new URL(u).href;
  } catch {
    return u;
  }
}
