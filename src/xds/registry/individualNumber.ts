/**
 * A submission (ITI-41, ITI-42, ITI-57) that names an identifier of the individual-number domain
 * anywhere in its metadata (XDSDocumentEntry.patientId, sourcePatientId, the PID-3 of
 * sourcePatientInfo, any other slot, external identifier, name or description) is refused with
 * XDSRegistryMetadataError before anything else is checked, so that no other error repeats the
 * identifier. With free-text screening on, the other sourcePatientInfo fields (PID-5, PID-13, ...)
 * are screened for 12 digits with a valid check digit. The error says where, never what.
 */
import type { Identifiable, RegistryObjectBase } from '../../ebxml/rim.ts';
import type { IndividualNumberDomain } from '../../identity/individualNumber/domain.ts';
import { looksLikeIndividualNumber } from '../../identity/individualNumber/freeText.ts';
import { numbersNamedIn } from '../../identity/individualNumber/textScreen.ts';
import { ErrorCollector } from './errors.ts';

/** Where in an object an individual number is named (a slot, an external identifier, a name), or undefined. */
function whereNamed(o: RegistryObjectBase & Partial<{ value: string; identificationScheme: string }>, domain: IndividualNumberDomain): string | undefined {
  const names = (v: string) => numbersNamedIn(v, domain).length > 0;
  for (const s of o.slots) {
    if (s.values.some(names)) return `slot ${s.name}`;
    if (domain.freeTextScreening && s.name === 'sourcePatientInfo' && s.values.some((v) => looksLikeIndividualNumber(v))) return `slot ${s.name}`;
  }
  if (typeof o.value === 'string' && names(o.value)) return `external identifier ${o.identificationScheme ?? ''}`.trim();
  if ([...o.name, ...o.description].some((l) => names(l.value))) return 'name or description';
  const nested = [...((o as { externalIdentifiers?: RegistryObjectBase[] }).externalIdentifiers ?? []), ...((o as { classifications?: RegistryObjectBase[] }).classifications ?? [])];
  for (const n of nested) {
    const w = whereNamed(n, domain);
    if (w) return w;
  }
  return undefined;
}

/** Throws XDSRegistryMetadataError (through the collector) when any object names an individual number. */
export function refuseIndividualNumbers(objects: readonly Identifiable[], domain: IndividualNumberDomain): void {
  const ec = new ErrorCollector();
  for (const o of objects) {
    if (!('slots' in o)) continue;
    const where = whereNamed(o as RegistryObjectBase, domain);
    if (where) ec.add('XDSRegistryMetadataError', `${o.id}: ${where} holds an identifier in the individual-number domain, which is not accepted`, o.id);
  }
  ec.throwIfAny();
}
