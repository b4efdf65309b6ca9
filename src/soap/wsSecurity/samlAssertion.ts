/**
 * A SAML 2.0 assertion (SAML Core 2.3.3) read into what an X-Service Provider checks and uses: its
 * ID, issuer, subject, validity window, audiences, and the XUA attributes of ITI TF-2b 3.40.4.1.2
 * (subject-id, organization, organization-id, home community, NPI; role and purpose of use as HL7 v3
 * CE elements). Read only from the element the signature covers (verifier.ts).
 */
import type { AssertionCode, RequestUser } from '../../kernel/requestContext.ts';
import { NS } from '../namespaces.ts';
import { attr, childElement, childElements, textOf } from './dom.ts';
import { WsSecurityError } from './errors.ts';

/** Attribute names of ITI TF-2b 3.40.4.1.2 (the XSPA and XACML names, and XCA's home community). */
export const XuaAttributes = {
  subjectId: 'urn:oasis:names:tc:xspa:1.0:subject:subject-id',
  organization: 'urn:oasis:names:tc:xspa:1.0:subject:organization',
  organizationId: 'urn:oasis:names:tc:xspa:1.0:subject:organization-id',
  homeCommunityId: 'urn:ihe:iti:xca:2010:homeCommunityId',
  npi: 'urn:oasis:names:tc:xspa:2.0:subject:npi',
  role: 'urn:oasis:names:tc:xacml:2.0:subject:role',
  purposeOfUse: 'urn:oasis:names:tc:xspa:1.0:subject:purposeofuse',
} as const;

export interface SamlAssertion {
  id: string;
  issuer: string;
  nameId: string;
  /** The NameID's SPProvidedID: the alias the audit names the user by (ITI TF-2b 3.40.4.2). */
  spProvidedId?: string;
  /** Conditions NotBefore / NotOnOrAfter, and those of each bearer SubjectConfirmationData, as given. */
  notBefore: string[];
  notOnOrAfter: string[];
  /** Each AudienceRestriction's Audience values (SAML Core 2.5.1.4: every restriction must be met). */
  audienceRestrictions: string[][];
  /** AttributeValue elements by Attribute Name, across the AttributeStatements. */
  attributes: Map<string, Element[]>;
}

const invalid = (m: string) => new WsSecurityError('InvalidSecurityToken', m);

export function readAssertion(el: Element): SamlAssertion {
  if (el.namespaceURI !== NS.saml2 || el.localName !== 'Assertion') throw invalid('the token is not a SAML 2.0 Assertion');
  if (attr(el, 'Version') !== '2.0') throw invalid(`the assertion's Version is ${attr(el, 'Version') ?? 'missing'}, not 2.0`);
  const id = attr(el, 'ID');
  if (!id) throw invalid('the assertion has no ID');
  const issuer = textOf(childElement(el, NS.saml2, 'Issuer'));
  if (!issuer) throw invalid('the assertion has no Issuer');
  const subject = childElement(el, NS.saml2, 'Subject');
  const nameIdElement = subject && childElement(subject, NS.saml2, 'NameID');
  const nameId = textOf(nameIdElement);
  const spProvidedId = nameIdElement ? attr(nameIdElement, 'SPProvidedID') || undefined : undefined;
  // ITI TF-2b 3.40.4.1.2: the Subject's NameID identifies the user.
  if (!nameId) throw invalid('the assertion has no Subject NameID');

  const notBefore: string[] = [];
  const notOnOrAfter: string[] = [];
  const audienceRestrictions: string[][] = [];
  const window = (e: Element) => {
    const nb = attr(e, 'NotBefore');
    const na = attr(e, 'NotOnOrAfter');
    if (nb !== undefined) notBefore.push(nb);
    if (na !== undefined) notOnOrAfter.push(na);
  };
  for (const c of childElements(el, NS.saml2, 'Conditions')) {
    window(c);
    for (const r of childElements(c, NS.saml2, 'AudienceRestriction')) audienceRestrictions.push(childElements(r, NS.saml2, 'Audience').map((a) => textOf(a)));
  }
  for (const sc of childElements(subject!, NS.saml2, 'SubjectConfirmation')) {
    for (const d of childElements(sc, NS.saml2, 'SubjectConfirmationData')) window(d);
  }

  const attributes = new Map<string, Element[]>();
  for (const st of childElements(el, NS.saml2, 'AttributeStatement')) {
    for (const a of childElements(st, NS.saml2, 'Attribute')) {
      const name = attr(a, 'Name');
      if (!name) continue;
      attributes.set(name, [...(attributes.get(name) ?? []), ...childElements(a, NS.saml2, 'AttributeValue')]);
    }
  }
  return { id, issuer, nameId, spProvidedId, notBefore, notOnOrAfter, audienceRestrictions, attributes };
}

function stringValue(a: SamlAssertion, name: string): string | undefined {
  const v = a.attributes.get(name)?.map((e) => textOf(e)).find((t) => t !== '');
  return v || undefined;
}

/** An HL7 v3 CE carried as the AttributeValue's child element (e.g. <Role xmlns="urn:hl7-org:v3" xsi:type="CE" code=.../>). */
function codedValue(a: SamlAssertion, name: string, element: string): AssertionCode | undefined {
  for (const v of a.attributes.get(name) ?? []) {
    const ce = childElement(v, NS.hl7, element);
    const code = ce && attr(ce, 'code');
    if (!ce || !code) continue;
    const codeSystem = attr(ce, 'codeSystem');
    const displayName = attr(ce, 'displayName');
    return { code, ...(codeSystem ? { codeSystem } : {}), ...(displayName ? { displayName } : {}) };
  }
  return undefined;
}

/** The user of the request and its purpose of use, as the request context carries them. */
export function userOf(a: SamlAssertion): { user: RequestUser; purposeOfUse?: AssertionCode } {
  const user: RequestUser = {
    id: a.nameId,
    alias: a.spProvidedId,
    name: stringValue(a, XuaAttributes.subjectId),
    role: codedValue(a, XuaAttributes.role, 'Role'),
    organization: stringValue(a, XuaAttributes.organization),
    organizationId: stringValue(a, XuaAttributes.organizationId),
    homeCommunityId: stringValue(a, XuaAttributes.homeCommunityId),
    npi: stringValue(a, XuaAttributes.npi),
    issuer: a.issuer,
    assertionId: a.id,
  };
  for (const k of Object.keys(user) as (keyof RequestUser)[]) if (user[k] === undefined) delete user[k];
  const purposeOfUse = codedValue(a, XuaAttributes.purposeOfUse, 'PurposeOfUse');
  return purposeOfUse ? { user, purposeOfUse } : { user };
}
