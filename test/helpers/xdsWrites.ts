/**
 * What the unit tests of the XDS write side (ITI-41, ITI-42, ITI-57, ITI-62) share: the request
 * context of a facility's node as the TLS edge would make it, metadata rewritten to name hospital B,
 * the RegistryResponse of a transaction read back, and the audit records a request left.
 */
import { AuditService } from '../../src/audit/auditService.ts';
import type { AuditMessage } from '../../src/audit/auditMessage.ts';
import { NODE_ROLES, type RequestContext } from '../../src/kernel/requestContext.ts';
import type { Store, StoredAuditRecord, WriteTx } from '../../src/store/types.ts';
import { parseXml } from '../../src/xml/parse.ts';
import { HOSP_A, HOSP_B } from './readFixture.ts';
import { STATUS } from './xds.ts';

/** A facility's node, matched by its certificate: it acts for that facility only. */
export function nodeContext(name: string, facility: { oid: string }): RequestContext {
  return {
    transport: 'soap',
    address: '192.0.2.10',
    certificate: { subject: `CN=${name},O=Test Region`, fingerprint256: 'AB:CD:EF:01' },
    node: {
      name,
      facilities: [facility.oid],
      sourceIds: [facility.oid],
      auditSourceIds: [name],
      roles: new Set(NODE_ROLES.filter((r) => r === 'source' || r === 'consumer')),
      breakGlass: new Set(),
      requireAssertion: false,
    },
  };
}

export const NODE_A = nodeContext('hosp-a', HOSP_A);
export const NODE_B = nodeContext('hosp-b', HOSP_B);

/** The test metadata names hospital A (sourceId, author institution, source patient); this names B instead. */
export const asHospB = (xml: string) => xml.replace(/1\.2\.392\.999\.1(?![0-9])/g, HOSP_B.oid).replace(/東京病院/g, '大阪病院');

export interface ResponseOf {
  status: 'Success' | 'Failure' | 'PartialSuccess' | string;
  errors: { errorCode: string; codeContext: string; location?: string; severity: string }[];
}

/** A RegistryResponse body, read back. */
export function responseOf(bodyXml: string): ResponseOf {
  const rr = parseXml(bodyXml);
  if (rr.local !== 'RegistryResponse') throw new Error(`not a RegistryResponse: ${bodyXml.slice(0, 200)}`);
  const status = Object.entries({ Success: STATUS.success, Failure: STATUS.failure, PartialSuccess: STATUS.partial }).find(([, v]) => v === rr.attrs.status)?.[0] ?? rr.attrs.status;
  const list = rr.children.find((c) => c.local === 'RegistryErrorList');
  const errors = (list?.children ?? []).map((e) => ({
    errorCode: e.attrs.errorCode,
    codeContext: e.attrs.codeContext,
    location: e.attrs.location,
    severity: e.attrs.severity.split(':').pop()!,
  }));
  return { status, errors };
}

/** Every stored audit record, oldest first. */
export async function auditRecords(store: Store): Promise<StoredAuditRecord[]> {
  const all = await store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
  return [...all].sort((a, b) => a.id - b.id);
}

/** Counts the audit records before a step, and gives those the step added. */
export async function auditMark(store: Store): Promise<() => Promise<StoredAuditRecord[]>> {
  const before = (await auditRecords(store)).length;
  return async () => (await auditRecords(store)).slice(before);
}

/** The ParticipantObjectIDs of an audit message. */
export const objectIds = (r: StoredAuditRecord) => [...r.xml.matchAll(/<ParticipantObjectIdentification\b[^>]*?\sParticipantObjectID="([^"]*)"/g)].map((m) => unescape(m[1]));
/** The ActiveParticipant UserIDs of an audit message. */
export const userIds = (r: StoredAuditRecord) => [...r.xml.matchAll(/<ActiveParticipant\b[^>]*?\sUserID="([^"]*)"/g)].map((m) => unescape(m[1]));
const unescape = (v: string) => v.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** An audit service whose success records cannot be written: a change committed with its audit must then not commit at all. */
export class AuditFailingOnSuccess extends AuditService {
  override async recordIn(tx: WriteTx, m: AuditMessage): Promise<void> {
    if (m.eventOutcome === 0) throw new Error('the audit record could not be written');
    return super.recordIn(tx, m);
  }
}
