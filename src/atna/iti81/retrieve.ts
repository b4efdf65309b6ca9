/**
 * ITI-81 Retrieve ATNA Audit Event: a search over every indexed audit event, this server's own and
 * those it received (syslog or FHIR), answered as a searchset Bundle of FHIR R4 AuditEvents, a page at
 * a time (keyset paging: a next link while more may follow); and the read of one AuditEvent.
 */
import type { AuditEvent, Bundle } from 'fhir/r4.js';
import { FhirError } from '../../fhir/outcome.ts';
import { searchset } from '../../fhir/bundle.ts';
import type { StoredAuditRecord, Store } from '../../store/types.ts';
import { AuditMessageReader } from '../dicom/reader.ts';
import { dicomToAuditEvent, metaOf } from '../fhir/auditEvent.ts';
import { PAGE_PARAMETER, writeCursor, type Iti81Query } from './searchParameters.ts';

export class AuditEventRetriever {
  private readonly reader = new AuditMessageReader();

  constructor(private readonly store: Store) {}

  /** The stored event as an AuditEvent: DICOM messages mapped, FHIR ones as received. */
  toAuditEvent(r: StoredAuditRecord): AuditEvent {
    if (r.format === 'fhir') {
      const e = JSON.parse(r.xml) as AuditEvent;
      return {
        ...e,
        id: String(r.id),
        meta: metaOf(r),
      };
    }
    const read = this.reader.read(r.xml);
    if (!read.message) throw new Error(`stored audit event ${r.id} cannot be read`);
    return dicomToAuditEvent(read.message, r);
  }

  async read(id: string): Promise<AuditEvent> {
    const n = /^[1-9]\d{0,15}$/.test(id) ? Number(id) : NaN;
    const r = Number.isNaN(n) ? undefined : await this.store.read((tx) => tx.audit.auditEvent(n));
    if (!r || r.status === 'unparsed') throw new FhirError(404, 'not-found', `AuditEvent/${id} is not known`);
    return this.toAuditEvent(r);
  }

  async search(q: Iti81Query, urls: { base: string; self: string; params: URLSearchParams }): Promise<Bundle> {
    const [records, total] = await this.store.read(async (tx) => [
      await tx.audit.searchAudit({ ...q.search, limit: q.search.limit + 1 }),
      q.total ? await tx.audit.countAudit(q.search) : undefined,
    ] as const);
    const page = records.slice(0, q.search.limit);
    let next: string | undefined;
    if (records.length > q.search.limit) {
      const p = new URLSearchParams(urls.params);
      p.delete(PAGE_PARAMETER);
      p.set(PAGE_PARAMETER, writeCursor(page[page.length - 1]));
      next = `${urls.base}/AuditEvent?${p.toString()}`;
    }
    return searchset({
      self: urls.self,
      next,
      total,
      entries: page.map((r) => ({ fullUrl: `${urls.base}/AuditEvent/${r.id}`, resource: this.toAuditEvent(r) })),
    });
  }
}
