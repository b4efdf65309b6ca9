/** What the console shows of a DocumentEntry: title, class, type, date, status, facility, MIME type. */
import type { ExtrinsicObject } from '../../ebxml/rim.ts';
import { slotValue } from '../../ebxml/rim.ts';
import type { Config } from '../../kernel/config.ts';
import { DocumentEntrySchemes } from '../../xds/registry/schemes.ts';
import type { StoredEntry } from '../../xds/registry/entries.ts';

export interface ShownEntry {
  uuid: string;
  uniqueId: string;
  repositoryUniqueId: string;
  title: string;
  classCode: { code: string; scheme: string; name: string };
  typeName: string;
  date: string;
  status: 'approved' | 'deprecated' | 'other';
  facility: string;
  mimeType: string;
}

export function code(o: ExtrinsicObject, scheme: string) {
  const c = o.classifications.find((x) => x.classificationScheme === scheme);
  return { code: c?.nodeRepresentation ?? '', scheme: c ? (slotValue(c, 'codingScheme') ?? '') : '', name: c?.name[0]?.value ?? c?.nodeRepresentation ?? '' };
}

/** A DTM as YYYY-MM-DD HH:MM (UTC, as XDS keeps it). */
export function shownDtm(v: string | undefined): string {
  if (!v) return '';
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?/.exec(v);
  if (!m) return v;
  return `${m[1]}${m[2] ? `-${m[2]}` : ''}${m[3] ? `-${m[3]}` : ''}${m[4] ? ` ${m[4]}:${m[5] ?? '00'}` : ''}`;
}

export function shownEntry(e: StoredEntry, config: Pick<Config, 'identity'>): ShownEntry {
  const o = e.object as ExtrinsicObject;
  const facilityKey = e.facility ?? '';
  const d = config.identity.domains.find((x) => x.oid === facilityKey || `ns:${x.namespace}` === facilityKey);
  return {
    uuid: e.uuid,
    uniqueId: e.uniqueId ?? '',
    repositoryUniqueId: e.repositoryUniqueId ?? '',
    title: o.name[0]?.value ?? '',
    classCode: code(o, DocumentEntrySchemes.classCode),
    typeName: code(o, DocumentEntrySchemes.typeCode).name,
    date: shownDtm(slotValue(o, 'creationTime')),
    status: /Approved$/.test(e.status) ? 'approved' : /Deprecated$/.test(e.status) ? 'deprecated' : 'other',
    facility: d?.displayName ?? d?.namespace ?? facilityKey,
    mimeType: o.mimeType ?? '',
  };
}
