/**
 * The patient of a query as it crosses a link (issue 16): the local consumer names the patient by
 * this region's regional ID; each peer is asked with the link's key, the medical-field token (the
 * communities share its assigning authority) or the link's own pseudonym of it. Audit messages name
 * the regional ID, never the token or a pseudonym.
 */
import type { ScopedReader } from '../../consent/scopedReader.ts';
import type { Slot } from '../../ebxml/rim.ts';
import { organizationPseudonym } from '../../identity/token/issuer.ts';
import { parseValue } from '../../xds/query/parameters.ts';
import { parsePatientCx } from '../../xds/registry/metadata.ts';
import type { LinkIdentity } from '../community.ts';

/** The stored-query parameters that name the patient (ITI TF-2a 3.18.4.1.2.3.7). */
export const PATIENT_PARAMETERS = ['$XDSDocumentEntryPatientId', '$XDSSubmissionSetPatientId', '$XDSFolderPatientId', '$patientId'];

/** The patient ID a query names, when it names one (the first value of the first patient parameter). */
export function queryPatientId(parameters: Slot[]): { name: string; value: string } | undefined {
  for (const s of parameters) {
    if (!PATIENT_PARAMETERS.includes(s.name)) continue;
    const [first] = s.values.flatMap((v) => parseValue(s.name, v));
    if (first) return { name: s.name, value: first };
  }
  return undefined;
}

/** The medical-field token of the person a regional ID names, when the requester may see the patient and it has one. */
export async function tokenOf(reader: ScopedReader, regionalPid: string): Promise<string | undefined> {
  const cx = parsePatientCx(regionalPid);
  if (!cx || cx.oid !== reader.domains.regional.oid) return undefined;
  const r = await reader.resolve(reader.domains.regional, cx.id, { subsumed: 'unknown' });
  return r.kind === 'person' ? (r.person.token ?? undefined) : undefined;
}

/** The patient ID of the link: its domain's CX of the token or of the link's pseudonym of it. */
export function linkPatientId(link: LinkIdentity, token: string): string {
  const id = link.mode === 'token' ? token : organizationPseudonym(link.domain.secret, token);
  return `${id}^^^&${link.domain.oid}&ISO`;
}

/** The parameters with every patient parameter naming `patientId` instead. */
export function withPatient(parameters: Slot[], patientId: string): Slot[] {
  const quoted = `'${patientId.replace(/'/g, "''")}'`;
  return parameters.map((s) => (PATIENT_PARAMETERS.includes(s.name) ? { ...s, values: [quoted] } : s));
}
