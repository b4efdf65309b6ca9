/**
 * ITI-20 in its FHIR form (IHE RESTful ATNA "Send Audit Resource"): an AuditEvent created on its own
 * (POST [base]/AuditEvent), or several in a Bundle of type batch or transaction (POST [base]). Each
 * AuditEvent is checked against the FHIR R4 schema; a valid one is stored and indexed like a DICOM
 * message and the answer follows the commit. One that fails is kept raw with its error and refused
 * with an OperationOutcome; a transaction with a failing entry stores none of its entries (the bundle
 * is kept raw with the error).
 */
import type { AuditEvent, Bundle, BundleEntry } from 'fhir/r4.js';
import { FhirError, operationOutcome } from '../../fhir/outcome.ts';
import type { FhirSchemaValidator } from '../../fhir/schemaValidator.ts';
import type { AuditRecord, Store } from '../../store/types.ts';
import { fhirIndexFields } from '../fhir/fhirIndex.ts';
import { maskStrings, maskText } from '../../identity/individualNumber/mask.ts';
import { fhirMaskRequest, maskUnreadable, MASKED_NOTE, type IndividualNumberHolder } from './individualNumber.ts';
import { originOf, type Peer } from './receivedAudit.ts';
import { senderFields } from './sender.ts';

export interface Created {
  id: number;
  resource: AuditEvent;
}

interface Checked {
  record: AuditRecord;
  errors: string[];
  resource?: AuditEvent;
}

export class FhirAuditFeed {
  constructor(
    private readonly store: Store,
    private readonly validator: FhirSchemaValidator,
    private readonly domains: IndividualNumberHolder,
  ) {}

  /** POST [base]/AuditEvent. */
  async create(body: unknown, raw: Buffer, peer: Peer): Promise<Created> {
    const c = this.check(body, raw, peer, '');
    const id = await this.store.write((tx) => tx.audit.appendAudit(c.record));
    if (c.errors.length) throw new FhirError(400, 'invalid', `AuditEvent not valid (kept with the error): ${c.errors.join('; ')}`);
    return { id, resource: c.resource! };
  }

  /** POST [base] with a Bundle of AuditEvents: the batch-response or transaction-response Bundle. */
  async bundle(body: unknown, raw: Buffer, peer: Peer, base: string): Promise<Bundle> {
    const b = body as Bundle;
    if (!b || typeof b !== 'object' || b.resourceType !== 'Bundle') throw new FhirError(400, 'invalid', 'a Bundle is expected at the base URL');
    if (b.type !== 'batch' && b.type !== 'transaction') throw new FhirError(400, 'not-supported', `Bundle.type ${String(b.type)}: batch or transaction expected`, ['Bundle.type']);
    const entries = b.entry ?? [];
    const checked = entries.map((e, n) => {
      const method = e.request?.method;
      const url = e.request?.url?.replace(/^\//, '');
      const c = this.check(e.resource, undefined, peer, `Bundle.entry[${n}].resource: `);
      if (method !== 'POST' || !url || !/^AuditEvent\/?$/.test(url)) c.errors.unshift(`Bundle.entry[${n}].request must be POST AuditEvent`);
      return c;
    });
    if (b.type === 'transaction') {
      const failing = checked.flatMap((c) => c.errors);
      if (failing.length) {
        await this.store.write((tx) => tx.audit.appendAudit(this.unread(raw, peer, `transaction refused: ${failing.join('; ')}`)));
        throw new FhirError(400, 'invalid', `transaction refused, nothing stored (kept with the error): ${failing.join('; ')}`);
      }
    }
    const ids = await this.store.write(async (tx) => {
      const out: number[] = [];
      for (const c of checked) out.push(await tx.audit.appendAudit(c.record));
      return out;
    });
    const response: BundleEntry[] = checked.map((c, n) =>
      c.errors.length
        ? { response: { status: '400 Bad Request', outcome: operationOutcome([{ code: 'invalid', diagnostics: c.errors.join('; ') }]) } }
        : { fullUrl: `${base}/AuditEvent/${ids[n]}`, response: { status: '201 Created', location: `AuditEvent/${ids[n]}/_history/1`, etag: 'W/"1"' } },
    );
    return { resourceType: 'Bundle', type: b.type === 'batch' ? 'batch-response' : 'transaction-response', entry: response };
  }

  /** A body that could not even be read as JSON: kept raw with the error. */
  async keepUnreadable(raw: Buffer, peer: Peer, error: string): Promise<void> {
    await this.store.write((tx) => tx.audit.appendAudit(this.unread(raw, peer, error)));
  }

  private unread(raw: Buffer, peer: Peer, error: string): AuditRecord {
    const masked = maskUnreadable(raw, this.domains.individualNumber);
    return {
      eventTime: new Date().toISOString(),
      eventId: '',
      eventTypeCode: '',
      action: '',
      outcome: -1,
      origin: originOf('fhir', peer),
      xml: '',
      patientIds: [],
      status: 'unparsed',
      error: masked.masked ? `${maskText(error, masked.req)}; ${MASKED_NOTE}` : maskText(error, masked.req),
      raw: masked.bytes,
      format: 'fhir',
      transport: 'fhir',
      ...senderFields(peer.sender, undefined),
    };
  }

  private check(resource: unknown, raw: Buffer | undefined, peer: Peer, where: string): Checked {
    const r = resource as AuditEvent | undefined;
    const text = JSON.stringify(resource ?? null);
    if (!r || typeof r !== 'object' || r.resourceType !== 'AuditEvent') {
      const error = `${where}an AuditEvent is expected`;
      return { record: this.unread(raw ?? Buffer.from(text), peer, error), errors: [error] };
    }
    const req = fhirMaskRequest(r, this.domains.individualNumber);
    const errors = this.validator.validate(r, 'AuditEvent').map((e) => (req ? maskText(where + e, req) : where + e));
    const resourceOut = req ? maskStrings(r, req) : (JSON.parse(text) as AuditEvent);
    const stored = JSON.stringify(resourceOut);
    delete resourceOut.id;
    delete resourceOut.meta;
    const now = new Date().toISOString();
    let fields;
    try {
      fields = fhirIndexFields(resourceOut, now);
    } catch {
      return { record: this.unread(Buffer.from(stored), peer, errors.join('; ') || 'unreadable AuditEvent'), errors };
    }
    const notes = [...errors, ...(req ? [MASKED_NOTE] : [])];
    return {
      errors,
      resource: resourceOut,
      record: {
        ...fields,
        origin: originOf('fhir', peer),
        xml: JSON.stringify(resourceOut),
        status: errors.length ? 'invalid' : 'valid',
        error: notes.length ? notes.join('; ') : undefined,
        raw: errors.length ? Buffer.from(stored) : undefined,
        format: 'fhir',
        transport: 'fhir',
        ...senderFields(peer.sender, fields.sourceId ?? ''),
      },
    };
  }
}

