/**
 * DICOM coded values (code, codeSystemName, originalText) as FHIR Codings: the code systems DICOM
 * audit messages name, by the URIs FHIR and IHE use for them.
 */
import type { Coding } from 'fhir/r4.js';
import type { ReadCode } from '../dicom/model.ts';

export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const IHE_EVENT_TYPE = 'urn:ihe:event-type-code';

const KNOWN: Record<string, string> = {
  DCM,
  'IHE Transactions': IHE_EVENT_TYPE,
  IHE: IHE_EVENT_TYPE,
  'RFC-3881': 'urn:ietf:rfc:3881',
};

/** The FHIR system URI of a DICOM codeSystemName; undefined when it names none we can tell. */
export function systemOf(codeSystemName: string): string | undefined {
  const name = codeSystemName.trim();
  if (KNOWN[name]) return KNOWN[name];
  if (/^[0-2](\.(0|[1-9]\d*))+$/.test(name)) return `urn:oid:${name}`;
  if (/^(urn|https?):/.test(name)) return name;
  return undefined;
}

export function coding(c: ReadCode, fallbackSystem?: string): Coding {
  const system = systemOf(c.codeSystemName) ?? fallbackSystem;
  const display = c.originalText || c.displayName;
  return { ...(system ? { system } : {}), code: c.code, ...(display ? { display } : {}) };
}

/** The DICOM codeSystemName of a FHIR system URI (the inverse of systemOf). */
export function codeSystemNameOf(system: string | undefined): string {
  if (!system) return '';
  for (const [name, uri] of Object.entries(KNOWN)) if (uri === system && name !== 'IHE') return name;
  return system.startsWith('urn:oid:') ? system.slice(8) : system;
}
