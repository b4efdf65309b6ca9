/**
 * How a stored query's patient ID ($XDSDocumentEntryPatientId, $patientId, ...) names a person. The
 * Document Registry takes IDs of its affinity domain (ITI TF-3 4.2.3.1.7): the first resolver. A
 * Responding Gateway (XCA) may key on the medical-field token or a peer link's pseudonym with its own.
 */
import type { ScopedReader } from '../../consent/scopedReader.ts';
import { parsePatientCx } from '../registry/metadata.ts';

export interface PatientResolver {
  /**
   * The person the patient ID names, or undefined when it names nobody the requester may see: an
   * unknown ID, one of another assigning authority, one subsumed by a merge, or a hidden patient.
   */
  resolve(reader: ScopedReader, patientId: string): Promise<number | undefined>;
}

/** IDs of the XDS affinity domain (CX `id^^^&oid&ISO`): a subsumed ID finds nothing (ITI TF-2 3.8.4.2.4). */
export class AffinityDomainResolver implements PatientResolver {
  constructor(private readonly affinityDomainOid: string) {}

  async resolve(reader: ScopedReader, patientId: string): Promise<number | undefined> {
    const cx = parsePatientCx(patientId);
    if (!cx || cx.oid !== this.affinityDomainOid) return undefined;
    const r = await reader.resolve(reader.domains.regional, cx.id, { subsumed: 'unknown' });
    return r.kind === 'person' ? r.person.id : undefined;
  }
}
