/**
 * The patient of MHD resources (DocumentReference.subject, List.subject; the `patient` and
 * `patient.identifier` search parameters) and the XDS patientId of the affinity domain (CX
 * `id^^^&OID&ISO`, ITI TF-3 4.2.3.1.7). The Patient's logical id on this server is the patient's ID
 * in the affinity domain (its regional ID) written as PDQm writes it (fhir/patientId.ts: as it is, or
 * `x-` and its bytes in hex when it is no FHIR id), so `Patient/{id}` and the identifier
 * `urn:oid:{affinity OID}|{regional ID}` name the same patient, on both faces.
 */
import type { Reference } from 'fhir/r4.js';
import { patientResourceId, regionalIdOf } from '../../fhir/patientId.ts';
import { parsePatientCx } from '../../xds/registry/metadata.ts';
import { escapeHl7 } from './values.ts';

export class PatientReferences {
  constructor(readonly affinityDomainOid: string) {}

  /** The subject of a resource whose patientId is `cx`: a literal reference and the identifier. */
  referenceOf(cx: string | undefined): Reference | undefined {
    const p = cx ? parsePatientCx(cx) : undefined;
    if (!p) return undefined;
    const id = p.oid === this.affinityDomainOid ? patientResourceId(p.id) : undefined;
    // An `h-` id (a hash) cannot be read back: such a subject is named by its identifier only.
    return { ...(id && !id.startsWith('h-') ? { reference: `Patient/${id}` } : {}), identifier: { system: `urn:oid:${p.oid}`, value: p.id } };
  }

  /** The CX of a patient identifier of the affinity domain. */
  cx(value: string, oid = this.affinityDomainOid): string {
    return `${escapeHl7(value)}^^^&${oid}&ISO`;
  }

  /**
   * The patientId a subject Reference names: `Patient/{id}` (relative, or an absolute URL of this
   * server's form), or a logical reference by identifier of an OID system. Undefined otherwise.
   */
  cxOfReference(r: Reference | undefined): string | undefined {
    if (!r) return undefined;
    if (r.reference) return this.cxOfPatientUrl(r.reference);
    const i = r.identifier;
    if (i?.value && i.system?.startsWith('urn:oid:')) return this.cx(i.value, i.system.slice(8));
    return undefined;
  }

  /** `Patient/{id}` or `{base}/Patient/{id}` (the value of the `patient` search parameter), the id as PDQm writes it. */
  cxOfPatientUrl(v: string): string | undefined {
    const m = /(?:^|\/)Patient\/([A-Za-z0-9.-]{1,64})$/.exec(v);
    const regionalId = m ? regionalIdOf(m[1]) : undefined;
    return regionalId === undefined ? undefined : this.cx(regionalId);
  }

  /** `system|value` of `patient.identifier`: an urn:oid: system, or none (the affinity domain). */
  cxOfToken(v: string): string | undefined {
    const bar = v.indexOf('|');
    const system = bar < 0 ? '' : v.slice(0, bar);
    const value = bar < 0 ? v : v.slice(bar + 1);
    if (!value) return undefined;
    if (!system) return this.cx(value);
    return system.startsWith('urn:oid:') ? this.cx(value, system.slice(8)) : undefined;
  }
}
