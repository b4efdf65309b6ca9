/**
 * The people and organizations of XDS metadata as contained FHIR resources (MHD Comprehensive
 * Metadata: author, legalAuthenticator and sourcePatientInfo are `contained`, ITI TF-3 4.5.1):
 * XCN <-> Practitioner, XON <-> Organization, an author classification <-> Practitioner /
 * PractitionerRole / Organization, sourcePatientId and sourcePatientInfo (PID-3, -5, -7, -8, -11)
 * <-> Patient. XTN, XPN and XAD keep the components MHD's mapping names.
 */
import type { Address, CodeableConcept, ContactPoint, HumanName, Identifier, Organization, Patient, Practitioner, PractitionerRole, Reference, Resource } from 'fhir/r4.js';
import type { Classification } from '../../ebxml/rim.ts';
import { slotValues } from '../../ebxml/rim.ts';
import { componentsOf, cxOfIdentifier, escapeHl7, identifierOfCx, joinComponents, RFC3986, subcomponentsOf } from './values.ts';

/** A contained resource the mapping made or reads, with its local id. */
export type Contained = Practitioner | PractitionerRole | Organization | Patient | Resource;

// --- XPN / HumanName ---

function humanName(family: string | undefined, given: (string | undefined)[], suffix?: string, prefix?: string): HumanName | undefined {
  const g = given.filter((x): x is string => !!x);
  if (!family && g.length === 0) return undefined;
  return { ...(family ? { family } : {}), ...(g.length ? { given: g } : {}), ...(suffix ? { suffix: [suffix] } : {}), ...(prefix ? { prefix: [prefix] } : {}) };
}

const nameComponents = (n: HumanName) => [n.family && escapeHl7(n.family), n.given?.[0] && escapeHl7(n.given[0]), n.given?.slice(1).map(escapeHl7).join(' ') || undefined, n.suffix?.[0] && escapeHl7(n.suffix[0]), n.prefix?.[0] && escapeHl7(n.prefix[0])];

// --- XCN / Practitioner ---

/** XCN: 1 id, 2 family, 3 given, 4 further given, 5 suffix, 6 prefix, 9 assigning authority (&OID&ISO). */
export function practitionerOfXcn(xcn: string, id: string): Practitioner {
  const raw = xcn.split('^');
  const c = componentsOf(xcn);
  const [, oid] = subcomponentsOf(raw[8] ?? '');
  const identifier: Identifier[] = c[0] ? [oid ? { system: `urn:oid:${oid}`, value: c[0] } : { value: c[0] }] : [];
  const name = humanName(c[1], [c[2], c[3]], c[4], c[5]);
  return { resourceType: 'Practitioner', id, ...(identifier.length ? { identifier } : {}), ...(name ? { name: [name] } : {}) };
}

/** A person (Practitioner, Patient, RelatedPerson) as XCN: its first identifier and name. */
export function xcnOf(p: { identifier?: Identifier[]; name?: HumanName[] }): string {
  const i = p.identifier?.[0];
  const n = p.name?.[0] ?? {};
  const aa = i?.system?.startsWith('urn:oid:') ? `&${i.system.slice(8)}&ISO` : undefined;
  return joinComponents([i?.value && escapeHl7(i.value), ...nameComponents(n), undefined, undefined, aa]);
}

// --- XON / Organization ---

/**
 * XON: 1 name, 6 assigning authority (&OID&ISO), 10 organization identifier. An identifier that is
 * itself an OID (no assigning authority) is an RFC 3986 urn:oid: identifier.
 */
export function organizationOfXon(xon: string, id: string): Organization {
  const raw = xon.split('^');
  const c = componentsOf(xon);
  const [, aa] = subcomponentsOf(raw[5] ?? '');
  const org = c[9];
  const identifier: Identifier[] = org ? [aa ? { system: `urn:oid:${aa}`, value: org } : /^[0-2](\.\d+)+$/.test(org) ? { system: RFC3986, value: `urn:oid:${org}` } : { value: org }] : [];
  return { resourceType: 'Organization', id, ...(c[0] ? { name: c[0] } : {}), ...(identifier.length ? { identifier } : {}) };
}

export function xonOf(o: Organization): string {
  const i = o.identifier?.[0];
  let aa: string | undefined;
  let org = i?.value;
  if (i?.system === RFC3986 && org?.startsWith('urn:oid:')) org = org.slice(8);
  else if (i?.system?.startsWith('urn:oid:')) aa = `&${i.system.slice(8)}&ISO`;
  return joinComponents([o.name && escapeHl7(o.name), undefined, undefined, undefined, undefined, aa, undefined, undefined, undefined, org && escapeHl7(org)]);
}

// --- XTN / ContactPoint ---

/** XTN: 2 use code, 3 equipment type, 4 e-mail; 1 the number as given (HL7 2.5 2.A.89). */
export function contactOfXtn(xtn: string): ContactPoint | undefined {
  const c = componentsOf(xtn);
  if (c[3]) return { system: 'email', value: c[3] };
  if (c[0]) return { system: 'phone', value: c[0] };
  return undefined;
}

export function xtnOf(t: ContactPoint): string | undefined {
  if (!t.value) return undefined;
  return t.system === 'email' ? `^NET^Internet^${escapeHl7(t.value)}` : `${escapeHl7(t.value)}^WPN^PH`;
}

// --- CWE-like codes of authorRole and authorSpecialty ---

function conceptOfCwe(v: string): CodeableConcept {
  if (!v.includes('^')) return { text: v };
  const c = componentsOf(v);
  return { coding: [{ code: c[0], ...(c[1] ? { display: c[1] } : {}), ...(c[2] ? { system: `urn:oid:${c[2].replace(/^&|&ISO$/g, '')}` } : {}) }] };
}

function cweOf(cc: CodeableConcept): string | undefined {
  const c = cc.coding?.[0];
  if (!c?.code) return cc.text;
  return joinComponents([escapeHl7(c.code), c.display && escapeHl7(c.display), c.system?.startsWith('urn:oid:') ? c.system.slice(8) : undefined]);
}

// --- author ---

/**
 * An author classification (ITI TF-3 4.2.3.1.4) as contained resources and the Reference the
 * DocumentReference or List names: a PractitionerRole when the author has a role, a specialty or an
 * institution besides the person, else the Practitioner, or the Organization when there is no person.
 */
export function authorResources(c: Classification, prefix: string): { reference: Reference; contained: Contained[] }[] {
  const person = slotValues(c, 'authorPerson')?.[0];
  const institutions = slotValues(c, 'authorInstitution') ?? [];
  const roles = (slotValues(c, 'authorRole') ?? []).map(conceptOfCwe);
  const specialties = (slotValues(c, 'authorSpecialty') ?? []).map(conceptOfCwe);
  const telecom = (slotValues(c, 'authorTelecommunication') ?? []).map(contactOfXtn).filter((t): t is ContactPoint => !!t);
  const orgs = institutions.map((x, i) => organizationOfXon(x, `${prefix}-org${i + 1}`));
  const practitioner = person ? practitionerOfXcn(person, `${prefix}-person`) : undefined;
  if (practitioner && telecom.length) practitioner.telecom = telecom;
  const ref = (r: Resource) => ({ reference: `#${r.id}` });
  if (practitioner && orgs.length === 0 && roles.length === 0 && specialties.length === 0) return [{ reference: ref(practitioner), contained: [practitioner] }];
  if (!practitioner && roles.length === 0 && specialties.length === 0) return orgs.map((o) => ({ reference: ref(o), contained: [o] }));
  // One PractitionerRole holds one organization: further institutions are named as authors of their own.
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    id: prefix,
    ...(practitioner ? { practitioner: ref(practitioner) } : {}),
    ...(orgs[0] ? { organization: ref(orgs[0]) } : {}),
    ...(roles.length ? { code: roles } : {}),
    ...(specialties.length ? { specialty: specialties } : {}),
    ...(!practitioner && telecom.length ? { telecom } : {}),
  };
  const first = { reference: ref(role), contained: [role, ...(practitioner ? [practitioner] : []), ...(orgs[0] ? [orgs[0]] : [])] };
  return [first, ...orgs.slice(1).map((o) => ({ reference: ref(o), contained: [o] }))];
}

/** What an author classification holds, read back from a contained author resource. */
export interface AuthorSlots {
  authorPerson?: string;
  authorInstitution: string[];
  authorRole: string[];
  authorSpecialty: string[];
  authorTelecommunication: string[];
}

/**
 * The author slots of a contained resource (Practitioner, PractitionerRole, Organization, Patient,
 * RelatedPerson), or the reason it cannot be one.
 */
export function authorSlotsOf(r: Contained | undefined, lookup: (ref: string | undefined) => Contained | undefined): AuthorSlots | string {
  const out: AuthorSlots = { authorInstitution: [], authorRole: [], authorSpecialty: [], authorTelecommunication: [] };
  if (!r) return 'an author must be a contained resource (Comprehensive Metadata, ITI TF-3 4.5.1)';
  const telecom = (t: ContactPoint[] | undefined) => out.authorTelecommunication.push(...(t ?? []).map(xtnOf).filter((x): x is string => !!x));
  switch (r.resourceType) {
    case 'Practitioner':
    case 'Patient':
    case 'RelatedPerson': {
      const p = r as Practitioner;
      out.authorPerson = xcnOf(p);
      telecom(p.telecom);
      return out;
    }
    case 'Organization':
      out.authorInstitution.push(xonOf(r as Organization));
      return out;
    case 'PractitionerRole': {
      const pr = r as PractitionerRole;
      const person = lookup(pr.practitioner?.reference);
      if (pr.practitioner && person?.resourceType !== 'Practitioner') return 'PractitionerRole.practitioner must name a contained Practitioner';
      if (person) {
        out.authorPerson = xcnOf(person as Practitioner);
        telecom((person as Practitioner).telecom);
      }
      const org = lookup(pr.organization?.reference);
      if (pr.organization && org?.resourceType !== 'Organization') return 'PractitionerRole.organization must name a contained Organization';
      if (org) out.authorInstitution.push(xonOf(org as Organization));
      out.authorRole.push(...(pr.code ?? []).map(cweOf).filter((x): x is string => !!x));
      out.authorSpecialty.push(...(pr.specialty ?? []).map(cweOf).filter((x): x is string => !!x));
      telecom(pr.telecom);
      return out;
    }
    default:
      return `an author of type ${r.resourceType} has no XDS author attribute (Practitioner, PractitionerRole, Organization, Patient or RelatedPerson)`;
  }
}

// --- sourcePatientInfo ---

const GENDER_OF: Record<string, Patient['gender']> = { M: 'male', F: 'female', O: 'other', A: 'other', U: 'unknown' };
const SEX_OF: Record<string, string> = { male: 'M', female: 'F', other: 'O', unknown: 'U' };

/** XAD: 1 street, 2 other designation, 3 city, 4 state, 5 zip, 6 country. */
function addressOfXad(v: string): Address {
  const c = componentsOf(v);
  const line = [c[0], c[1]].filter(Boolean);
  return { ...(line.length ? { line } : {}), ...(c[2] ? { city: c[2] } : {}), ...(c[3] ? { state: c[3] } : {}), ...(c[4] ? { postalCode: c[4] } : {}), ...(c[5] ? { country: c[5] } : {}) };
}

const xadOf = (a: Address) => joinComponents([a.line?.[0], a.line?.[1], a.city, a.state, a.postalCode, a.country].map((x) => x && escapeHl7(x)));

/**
 * sourcePatientId and sourcePatientInfo (ITI TF-3 4.2.3.2.23: PID-3 identifiers, PID-5 names, PID-7
 * birth date, PID-8 sex, PID-11 addresses) as a contained Patient.
 */
export function sourcePatient(sourcePatientId: string | undefined, info: string[], id: string): Patient {
  const identifiers: string[] = sourcePatientId ? [sourcePatientId] : [];
  const p: Patient = { resourceType: 'Patient', id };
  for (const line of info) {
    const m = /^PID-(\d+)\|(.*)$/.exec(line);
    if (!m) continue;
    const [, field, value] = m;
    if (field === '3' && !identifiers.includes(value)) identifiers.push(value);
    if (field === '5') {
      const c = componentsOf(value);
      const n = humanName(c[0], [c[1], c[2]], c[3], c[4]);
      if (n) (p.name ??= []).push(n);
    }
    if (field === '7' && /^\d{8}/.test(value)) p.birthDate = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
    if (field === '8' && GENDER_OF[value]) p.gender = GENDER_OF[value];
    if (field === '11') (p.address ??= []).push(addressOfXad(value));
  }
  if (identifiers.length) p.identifier = identifiers.map(identifierOfCx);
  return p;
}

/** A contained Patient back as sourcePatientId (its first identifier) and sourcePatientInfo values. */
export function sourcePatientSlots(p: Patient): { sourcePatientId?: string; sourcePatientInfo: string[] } {
  const cxs = (p.identifier ?? []).map(cxOfIdentifier).filter((x): x is string => !!x);
  const info: string[] = cxs.map((cx) => `PID-3|${cx}`);
  for (const n of p.name ?? []) info.push(`PID-5|${joinComponents(nameComponents(n))}`);
  if (p.birthDate) info.push(`PID-7|${p.birthDate.replace(/-/g, '')}`);
  if (p.gender) info.push(`PID-8|${SEX_OF[p.gender]}`);
  for (const a of p.address ?? []) info.push(`PID-11|${xadOf(a)}`);
  return { sourcePatientId: cxs[0], sourcePatientInfo: info };
}
