/** `hie xds find` in words: one block per document, the fields a person looks for first. */
import type { CodedSummary, DocumentSummary } from '../xds/consumer/storedQuery.ts';

/** An XDS DTM (UTC, ITI TF-3 4.2.3.1.7) as YYYY-MM-DD HH:MM:SS UTC, to the precision it has. */
export function dtmText(dtm: string | undefined): string {
  if (!dtm) return '-';
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?$/.exec(dtm);
  if (!m) return dtm;
  const [, y, mo, d, h, mi, s] = m;
  const date = [y, mo, d].filter(Boolean).join('-');
  const time = [h, mi, s].filter(Boolean).join(':');
  return `${date}${time ? ` ${time}` : ''} UTC`;
}

const codedText = (c: CodedSummary | undefined) => (c ? `${c.display || c.code} (${c.code}${c.codingScheme ? `, ${c.codingScheme}` : ''})` : '-');

/** `facilityName` names an authorInstitution (its name or OID) as config does (identity.domains[].displayName). */
export function documentListText(patientId: string, registry: string, docs: DocumentSummary[], facilityName: (code: string) => string = (c) => c): string {
  const lines = [`${docs.length} document${docs.length === 1 ? '' : 's'} of ${patientId} (registry ${registry})`];
  for (const d of docs) {
    const facility = [...new Set(d.institutions.map(facilityName)), d.healthcareFacilityTypeCode?.display].filter(Boolean).join(', ');
    lines.push(
      '',
      `${d.uniqueId}  ${d.status}`,
      `  title       ${d.title || '-'}`,
      `  class       ${codedText(d.classCode)}`,
      `  type        ${codedText(d.typeCode)}`,
      `  facility    ${facility || '-'}`,
      `  created     ${dtmText(d.creationTime)}`,
      `  size        ${d.size === undefined ? '-' : `${d.size} bytes`}, ${d.mimeType || '-'}`,
      `  repository  ${d.repositoryUniqueId ?? '-'}`,
    );
  }
  return lines.join('\n') + '\n';
}
