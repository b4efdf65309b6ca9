/**
 * The value types of the XDS <-> FHIR mapping (MHD ITI TF-3 4.5.1): identifiers (OIDs and UUIDs as
 * `urn:ietf:rfc:3986` URIs, ITI TF-2 Appendix E.3), coding schemes as code systems, XDS DTM (UTC) as
 * FHIR date/dateTime, CX as Identifier, and the HL7 v2 escapes of component values.
 */
import type { Classification } from '../../ebxml/rim.ts';
import { slotValue } from '../../ebxml/rim.ts';
import type { CodeableConcept, Coding, Identifier } from 'fhir/r4.js';
import { OID } from '../../xds/registry/metadata.ts';

export const RFC3986 = 'urn:ietf:rfc:3986';
/** MHD's Identifier.type code system (IHE.MHD.MHDIdentifierType). */
export const MHD_IDENTIFIER_TYPE = 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDIdentifierType';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Code systems whose FHIR URI is not urn:oid: (FHIR R4 terminologies; the IHE formatCode system). */
const KNOWN_SYSTEMS: readonly [string, string][] = [
  ['2.16.840.1.113883.6.1', 'http://loinc.org'],
  ['2.16.840.1.113883.6.96', 'http://snomed.info/sct'],
  ['2.16.840.1.113883.5.25', 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality'],
  ['2.16.840.1.113883.5.4', 'http://terminology.hl7.org/CodeSystem/v3-ActCode'],
  ['1.2.840.10008.2.16.4', 'http://dicom.nema.org/resources/ontology/DCM'],
  ['1.3.6.1.4.1.19376.1.2.3', 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode'],
];
const SYSTEM_OF = new Map(KNOWN_SYSTEMS);
const SCHEME_OF = new Map(KNOWN_SYSTEMS.map(([o, u]) => [u, o]));

/**
 * A codingScheme as a FHIR code system URI: a known OID as its FHIR URI, another OID as urn:oid:, a
 * URI as it is. A scheme that is neither (NIST test data names schemes in words) is written with its
 * spaces percent-encoded, so that it stays one URI and reads back the same.
 */
export function systemOfScheme(scheme: string): string {
  const s = scheme.trim();
  if (SYSTEM_OF.has(s)) return SYSTEM_OF.get(s)!;
  if (OID.test(s)) return `urn:oid:${s}`;
  return /\s/.test(s) ? encodeURI(s) : s;
}

export function schemeOfSystem(system: string): string {
  if (SCHEME_OF.has(system)) return SCHEME_OF.get(system)!;
  if (system.startsWith('urn:oid:')) return system.slice(8);
  return /%[0-9A-Fa-f]{2}/.test(system) ? decodeURI(system) : system;
}

/** A classification (code, codingScheme slot, Name) as a Coding. */
export function codingOf(c: Classification): Coding {
  const scheme = slotValue(c, 'codingScheme');
  const display = c.name[0]?.value;
  return { ...(scheme ? { system: systemOfScheme(scheme) } : {}), code: c.nodeRepresentation ?? '', ...(display ? { display } : {}) };
}

export const conceptOf = (c: Classification): CodeableConcept => ({ coding: [codingOf(c)] });

/** The one Coding of a CodeableConcept that has a system and a code (XDS codes need both). */
export function firstCoding(cc: CodeableConcept | undefined): Coding | undefined {
  return cc?.coding?.find((c) => c.system && c.code);
}

/**
 * An XDS uniqueId as an Identifier (MHD UniqueIdIdentifier): an OID or a UUID as an RFC 3986 URI,
 * `root^extension` (ITI TF-3 4.2.3.2.26) as system urn:oid:root and value extension, a URI as it is.
 */
export function identifierOfUniqueId(uid: string): Identifier {
  if (OID.test(uid)) return { system: RFC3986, value: `urn:oid:${uid}` };
  if (UUID.test(uid)) return { system: RFC3986, value: `urn:uuid:${uid.toLowerCase()}` };
  const m = /^([0-2](?:\.(?:0|[1-9]\d*))+)\^([^^]+)$/.exec(uid);
  if (m) return { system: `urn:oid:${m[1]}`, value: m[2] };
  return { system: RFC3986, value: uid };
}

/** The XDS uniqueId an Identifier names (the inverse of identifierOfUniqueId). */
export function uniqueIdOfIdentifier(i: Identifier): string | undefined {
  if (!i.value) return undefined;
  if (!i.system || i.system === RFC3986) return i.value.startsWith('urn:oid:') ? i.value.slice(8) : i.value;
  if (i.system.startsWith('urn:oid:')) return `${i.system.slice(8)}^${i.value}`;
  return undefined;
}

export const entryUuidIdentifier = (uuid: string): Identifier => ({
  use: 'official',
  type: { coding: [{ system: MHD_IDENTIFIER_TYPE, code: 'entryUUID' }] },
  system: RFC3986,
  value: uuid,
});

export const uniqueIdTyped = (uid: string): Identifier => ({ use: 'usual', type: { coding: [{ system: MHD_IDENTIFIER_TYPE, code: 'uniqueId' }] }, ...identifierOfUniqueId(uid) });

/** The entryUUID identifier among a resource's identifiers (by its MHD type, or a urn:uuid: value). */
export function entryUuidOf(ids: Identifier[] | undefined): string | undefined {
  const typed = ids?.find((i) => i.type?.coding?.some((c) => c.code === 'entryUUID'));
  const v = typed?.value;
  return v && /^urn:uuid:/.test(v) && UUID.test(v.slice(9)) ? v.toLowerCase() : undefined;
}

/** The uniqueId identifier among a List's identifiers (by its MHD type). */
export function typedUniqueIdOf(ids: Identifier[] | undefined): string | undefined {
  const typed = ids?.find((i) => i.type?.coding?.some((c) => c.code === 'uniqueId'));
  return typed ? uniqueIdOfIdentifier(typed) : undefined;
}

// --- time ---

/** An XDS DTM (UTC, ITI TF-3 Table 4.2.3.1.7-2) as a FHIR date (day precision or less) or dateTime (with Z). */
export function fhirOfDtm(v: string | undefined): string | undefined {
  const m = v ? /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?$/.exec(v) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  if (!mo) return y;
  if (!d) return `${y}-${mo}`;
  if (!h) return `${y}-${mo}-${d}`;
  return `${y}-${mo}-${d}T${h}:${mi ?? '00'}:${s ?? '00'}Z`;
}

/**
 * A FHIR date or dateTime as an XDS DTM in UTC: a date keeps its precision; a dateTime (which FHIR
 * gives a zone whenever it has a time) is converted to UTC, to the second. Undefined when not valid.
 */
export function dtmOfFhir(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const date = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(v);
  if (date) return date.slice(1).filter(Boolean).join('');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return undefined;
  const t = new Date(v);
  if (Number.isNaN(t.getTime())) return undefined;
  return t.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

// --- HL7 v2 components (ITI TF-3 4.2.3.1.7: XCN, XON, CX, XPN are HL7 v2.5 data types) ---

const ESCAPES: [string, string][] = [
  ['\\', '\\E\\'],
  ['|', '\\F\\'],
  ['^', '\\S\\'],
  ['&', '\\T\\'],
  ['~', '\\R\\'],
];

/** A text as an HL7 v2 component value (the delimiters escaped). */
export const escapeHl7 = (s: string) => ESCAPES.reduce((t, [c, e]) => t.split(c).join(e), s);
export const unescapeHl7 = (s: string) => s.replace(/\\([EFSTR])\\/g, (_, c: string) => ({ E: '\\', F: '|', S: '^', T: '&', R: '~' })[c]!);

/** The components of an HL7 v2 value (unescaped), index 0 being component 1. */
export const componentsOf = (v: string): string[] => v.split('^').map(unescapeHl7);
/** The subcomponents of one raw component. */
export const subcomponentsOf = (raw: string): string[] => raw.split('&').map(unescapeHl7);

/** A value from components (escaped), trailing empty ones dropped. */
export function joinComponents(c: (string | undefined)[]): string {
  const parts = c.map((x) => (x === undefined ? '' : x));
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('^');
}

/**
 * A CX (`id^^^&oid&ISO`, or `id^^^namespace`) as an Identifier: system urn:oid:oid; a namespace
 * without an OID is kept as the assigner's display.
 */
export function identifierOfCx(cx: string): Identifier {
  const raw = cx.split('^');
  const value = unescapeHl7(raw[0] ?? '');
  const [ns, oid] = subcomponentsOf(raw[3] ?? '');
  if (oid) return { system: `urn:oid:${oid}`, value };
  return ns ? { value, assigner: { display: ns } } : { value };
}

/** An Identifier as a CX: the inverse of identifierOfCx; undefined when it has no value. */
export function cxOfIdentifier(i: Identifier): string | undefined {
  if (!i.value) return undefined;
  const v = escapeHl7(i.value);
  if (i.system?.startsWith('urn:oid:')) return `${v}^^^&${i.system.slice(8)}&ISO`;
  if (i.system === RFC3986 && i.value.startsWith('urn:oid:')) return undefined;
  if (i.assigner?.display) return `${v}^^^${escapeHl7(i.assigner.display)}`;
  return v;
}
