/**
 * The HL7 v2 clinical feed: SS-MIX2 clinical messages pushed by hospital systems over MLLP (RDE^O11,
 * RAS^O17, OML^O33, OUL^R22, OMG^O19, OMI^Z23, ORU^R01, PPR^ZD1, OMD^O03 and the encounter ADT events
 * ITI-8 does not take), shared as documents by the same mapping and code path as the storage ingest,
 * and acknowledged AA only once the document is durably registered. The sending facility (MSH-3/4)
 * names the assigning authority of PID-3, as config identity.domains says; only a node with the role
 * source that acts for that facility may send (refused ACK AR with ERR-5 NOTAUTH otherwise).
 */
import { createHash } from 'node:crypto';
import { encodeMessage } from '../../hl7v2/charset.ts';
import { Hl7ProcessingError } from '../../hl7v2/errors.ts';
import { authorizeFacility, FEED_ROLES, type FeedLocation } from '../../consent/feedAuthorization.ts';
import type { Hl7Request, Hl7Transaction } from '../../hl7v2/transaction.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { Domain } from '../../identity/types.ts';
import { readCx } from '../../pix/codec/cx.ts';
import type { Store } from '../../store/types.ts';
import { Rejection, TooManyIdentifiers, type ClinicalItem, type Sharing } from '../sharing.ts';
import { DATA_TYPES, PATIENT_DATA_TYPE } from '../ssmix2/dataTypes.ts';
import { versionKey } from '../ssmix2/fileName.ts';
import { storedFactsOf } from '../ssmix2/storedMessage.ts';
import { dataTypeOfMessage, messageFacts } from './messageFacts.ts';

export interface ClinicalFeedDeps {
  store: Store;
  identity: IdentityService;
  sharing: Sharing;
}

/** ITI-8 takes these ADT events (patient identity feed); the clinical feed takes the others. */
const ITI8_EVENTS = new Set(['A01', 'A04', 'A05', 'A08', 'A40']);

export function clinicalFeedAccepts(): { code: string; events: string[] }[] {
  const byCode = new Map<string, Set<string>>();
  for (const d of DATA_TYPES) {
    if (d.code === PATIENT_DATA_TYPE) continue;
    for (const m of d.messages) {
      const [code, event] = m.split('^');
      if (code === 'ADT' && ITI8_EVENTS.has(event)) continue;
      const set = byCode.get(code) ?? new Set<string>();
      set.add(event);
      byCode.set(code, set);
    }
  }
  return [...byCode].map(([code, events]) => ({ code, events: [...events].sort() }));
}

async function facilityOf(deps: ClinicalFeedDeps, application: string, facility: string): Promise<Domain> {
  const domains = deps.identity.domains;
  const authority = domains.defaultAuthorityFor(application, facility) ?? { namespace: facility, oid: '', type: '' };
  const d = authority.namespace || authority.oid ? await deps.store.read((tx) => domains.find(tx, authority)) : undefined;
  if (!d || d.kind !== 'local' || !d.oid) {
    throw Hl7ProcessingError.error(204, `sending facility '${facility}' is not a facility domain with an OID (config identity.domains)`, { segment: 'MSH', field: 4 });
  }
  return d;
}

function toHl7Error(e: Rejection): Hl7ProcessingError {
  // As ITI-8 (pix/iti8/decode.ts): AR 207 at the first repetition beyond the limit.
  if (e instanceof TooManyIdentifiers) return Hl7ProcessingError.reject(207, e.message, { segment: 'PID', field: 3, repetition: e.limit + 1 });
  switch (e.reason) {
    case 'unknown-patient':
      return Hl7ProcessingError.error(204, e.message, { segment: 'PID', field: 3 });
    case 'unparseable':
    case 'wrong-message-type':
      return Hl7ProcessingError.reject(100, e.message, { segment: 'MSH' });
    default:
      return Hl7ProcessingError.error(207, e.message);
  }
}

export function clinicalFeedTransaction(deps: ClinicalFeedDeps): Hl7Transaction {
  async function handle(req: Hl7Request) {
    const m = req.message;
    const h = m.header;
    const dt = dataTypeOfMessage(m);
    if (!dt) throw Hl7ProcessingError.reject(201, `${h.type.code}^${h.type.event} is no SS-MIX2 clinical message`, { segment: 'MSH', field: 9 });
    const facility = await facilityOf(deps, h.sendingApplication, h.sendingFacility);
    authorizeFacility(req.context, { key: facility.key, name: h.sendingFacility });
    const pid = m.first('PID');
    if (!pid) throw Hl7ProcessingError.error(100, 'Required segment PID is missing', { segment: 'PID' });
    const local = pid
      .reps(3)
      .map(readCx)
      .find((cx) => cx.id && ((!cx.authority.namespace && !cx.authority.oid) || cx.authority.oid === facility.oid || (!cx.authority.oid && cx.authority.namespace === facility.namespace)));
    if (!local) throw Hl7ProcessingError.error(101, `PID-3 holds no patient ID of ${facility.namespace || facility.oid}`, { segment: 'PID', field: 3 });
    const bytes = req.bytes ?? encodeMessage(m.text, req.charset);
    const fileFacts = messageFacts(m);
    const stored = { message: m, charset: req.charset, messageKey: `${h.type.code}^${h.type.event}` };
    const facts = storedFactsOf(stored, dt);
    const careDate = facts.careDate.slice(0, 8) || h.dateTime.slice(0, 8);
    const item: ClinicalItem = {
      facility,
      source: `mllp:${h.sendingApplication}|${h.sendingFacility}/${h.controlId}`,
      size: bytes.length,
      mtimeMs: 0,
      sha1: createHash('sha1').update(bytes).digest('hex'),
      bytes,
      patientId: local.id,
      careDate,
      dataType: dt,
      ...fileFacts,
      facts,
      message: stored,
      versionKey: '',
    };
    item.versionKey = versionKey(item);
    try {
      await deps.sharing.take(item);
    } catch (e) {
      if (e instanceof Rejection) throw toHl7Error(e);
      throw e;
    }
    return { type: ['ACK', h.type.event, 'ACK'] as [string, string, string], ack: 'AA' as const };
  }

  return {
    name: 'SS-MIX2 clinical feed',
    accepts: clinicalFeedAccepts(),
    roles: FEED_ROLES,
    // A refused facility is the one MSH-4 names (feedAuthorization's sendingFacility).
    locate: (l) => ((l as FeedLocation | undefined)?.part === 'sendingFacility' ? { segment: 'MSH', field: 4 } : undefined),
    handle,
  };
}
