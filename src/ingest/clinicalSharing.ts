/**
 * One clinical HL7 v2 message of a facility taken into the HIE, whether it was read from SS-MIX2
 * storage or pushed over MLLP: ADT-00 feeds the patient through the PIX Manager's identity service
 * (the same code path as ITI-8); every other data type becomes an XDS document through the repository
 * and registry services (the same code path as ITI-41). What was taken in is recorded in the same
 * write as what it did, so nothing is taken twice.
 */
import type { AuditService } from '../audit/auditService.ts';
import type { Segment } from '../hl7v2/message.ts';
import { IdentityError } from '../identity/errors.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Domain } from '../identity/types.ts';
import { readCx } from '../pix/codec/cx.ts';
import { readDemographics } from '../pix/codec/pid.ts';
import type { PixNotifier } from '../pix/iti10/notifier.ts';
import { toPatientFeed, type PositionedCx } from '../pix/patientFeed.ts';
import type { IngestConfig } from '../server/config/types.ts';
import type { IngestItem, Store } from '../store/types.ts';
import { submissionSetObject, xdsAudit } from '../xds/audit.ts';
import { asRegistryErrors } from '../xds/registry/errors.ts';
import { Status } from '../xds/registry/schemes.ts';
import { nowDtm, type RegistryService } from '../xds/registry/service.ts';
import type { RepositoryService } from '../xds/repository/service.ts';
import { XDS } from '../xds/transactions.ts';
import { clinicalDocumentObjects, derivedUniqueIds, hl7TimeToUtcDtm } from './documentMetadata.ts';
import { PATIENT_DATA_TYPE, type DataType } from './ssmix2/dataTypes.ts';
import type { Condition } from './ssmix2/fileName.ts';
import { careDateOf, type StoredMessage } from './ssmix2/storedMessage.ts';

export type RejectReason =
  | 'bad-name'
  | 'misplaced'
  | 'unreadable'
  | 'bad-encoding'
  | 'unparseable'
  | 'wrong-message-type'
  | 'unknown-patient'
  | 'individual-number'
  | 'unsupported'
  | 'refused-by-pix'
  | 'refused-by-registry';

export const REJECT_REASONS: Readonly<Record<RejectReason, string>> = {
  'bad-name': 'bad name',
  misplaced: 'misplaced',
  unreadable: 'unreadable file',
  'bad-encoding': 'bad encoding',
  unparseable: 'unparseable message',
  'wrong-message-type': 'message type does not match the data type',
  'unknown-patient': 'unknown patient',
  'individual-number': 'individual number in PID-3',
  unsupported: 'unsupported message',
  'refused-by-pix': 'refused by the PIX Manager',
  'refused-by-registry': 'refused by the XDS registry',
};

export class Rejection extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

/** A message of a facility, with the SS-MIX2 facts of its file name (or, for the feed, read from the message). */
export interface ClinicalItem {
  facility: Domain;
  /** Relative storage path, or `mllp:<sender>/<control id>`. */
  source: string;
  size: number;
  mtimeMs: number;
  sha1: string;
  bytes: Buffer;
  patientId: string;
  careDate: string;
  dataType: DataType;
  orderNo: string;
  timestamp: string;
  department: string;
  condition: Condition;
  message: StoredMessage;
  versionKey: string;
}

export type ItemOutcome =
  | { kind: 'patient'; created: boolean }
  | { kind: 'document'; uniqueId: string; entryUuid: string; status: 'Approved' | 'Deprecated'; replaced?: string }
  | { kind: 'removed'; removed: string | null }
  | { kind: 'already-registered'; uniqueId: string };

export interface SharingDeps {
  store: Store;
  identity: IdentityService;
  registry: RegistryService;
  repository: RepositoryService;
  audit: AuditService;
  notifier?: PixNotifier;
  cfg: IngestConfig['ssmix2'];
  /** The Document Source named in audit messages: the storage root, or the feed's sender. */
  sourceName: string;
}

const cx = (id: string, d: Pick<Domain, 'oid' | 'namespace'>) => (d.oid ? `${id}^^^&${d.oid}&ISO` : `${id}^^^${d.namespace}`);

function sourcePatientInfo(pid: Segment | undefined): string[] {
  if (!pid) return [];
  return [5, 7, 8, 11].filter((n) => pid.raw(n) !== '').map((n) => `PID-${n}|${pid.raw(n)}`);
}

export class ClinicalSharing {
  constructor(private readonly deps: SharingDeps) {}

  async take(item: ClinicalItem): Promise<ItemOutcome> {
    return item.dataType.code === PATIENT_DATA_TYPE ? this.feedPatient(item) : this.shareDocument(item);
  }

  private checkpoint(item: ClinicalItem, outcome: string, entryUuid: string | null, uniqueId: string | null): IngestItem {
    return {
      facility: item.facility.key,
      source: item.source,
      size: item.size,
      mtimeMs: item.mtimeMs,
      sha1: item.sha1,
      versionKey: item.versionKey,
      timestamp: item.timestamp,
      condition: item.condition,
      outcome,
      entryUuid,
      uniqueId,
    };
  }

  /** ADT-00 (ADT^A08): the patient registered or updated in the facility's domain, as ITI-8 does. */
  private async feedPatient(item: ClinicalItem): Promise<ItemOutcome> {
    const { identity, store, notifier } = this.deps;
    const msg = item.message.message;
    if (item.message.messageKey !== 'ADT^A08') {
      throw new Rejection('unsupported', `${item.message.messageKey} under ADT-00 is not applied: the PIX Manager takes patient updates (A08), it does not delete patients`);
    }
    const pid = msg.first('PID');
    if (!pid) throw new Rejection('unparseable', 'ADT-00 without a PID segment');
    if (pid.reps(5).length === 0) throw new Rejection('unparseable', 'ADT-00 without a patient name (PID-5)');
    const facilityAuthority = { namespace: item.facility.namespace, oid: item.facility.oid, type: item.facility.type };
    // The storage's patient ID is the local ID in the facility; PID-3 repetitions with an assigning
    // authority (the medical-field token, a regional ID) are fed beside it.
    const ids: PositionedCx[] = [{ id: item.patientId, authority: facilityAuthority, typeCode: 'PI', index: 0 }];
    for (const [index, rep] of pid.reps(3).entries()) {
      const r = readCx(rep);
      if (identity.domains.isIndividualNumber(r.authority, r.typeCode)) {
        throw new Rejection('individual-number', `PID-3 repetition ${index + 1} is in the individual-number domain: refused, never stored`);
      }
      if (!r.id || (!r.authority.namespace && !r.authority.oid)) continue;
      if ((r.authority.oid && r.authority.oid === item.facility.oid) || (!r.authority.oid && r.authority.namespace === item.facility.namespace)) continue;
      ids.push({ ...r, index });
    }
    const source = { application: msg.header.sendingApplication, facility: msg.header.sendingFacility };
    try {
      const outcome = await store.write(async (tx) => {
        const feed = await toPatientFeed(tx, identity.domains, ids, readDemographics(pid), source);
        const o = await identity.registerFeed(tx, feed);
        if (o.crossReferenceChanged && notifier?.enabled) await notifier.enqueue(tx, o.personId);
        await tx.ingest.putIngestItem(this.checkpoint(item, 'patient', null, null));
        return o;
      });
      return { kind: 'patient', created: outcome.created };
    } catch (e) {
      if (e instanceof IdentityError) throw new Rejection('refused-by-pix', e.message);
      throw e;
    }
  }

  private async shareDocument(item: ClinicalItem): Promise<ItemOutcome> {
    const { identity, store, registry, repository, cfg } = this.deps;
    const facility = item.facility;
    const read = await store.read(async (tx) => {
      const r = await identity.resolve(tx, facility, item.patientId);
      const current = await tx.ingest.latestDocumentVersion(facility.key, item.versionKey);
      const currentEntry = current?.entryUuid ? (await tx.registry.entries([current.entryUuid]))[0] : undefined;
      return { person: r.kind === 'person' ? r.person : undefined, current, currentEntry };
    });
    if (!read.person) {
      throw new Rejection('unknown-patient', `patient ${item.patientId} of ${facility.namespace || facility.oid} is not known: no ADT-00 or ITI-8 registered it`);
    }
    const uids = derivedUniqueIds(cfg.uniqueIdRoot, facility.key, item.source, item.sha1);
    const already = await store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [uids.document]));
    if (already.length > 0) {
      // Registered before, its checkpoint lost: record it, register nothing.
      await store.write((tx) => tx.ingest.putIngestItem(this.checkpoint(item, 'document', already[0].uuid, uids.document)));
      return { kind: 'already-registered', uniqueId: uids.document };
    }
    const current = read.currentEntry && read.currentEntry.status === Status.approved ? read.current : undefined;
    const olderThanCurrent = !!read.current && read.current.timestamp > item.timestamp;

    if (item.condition === 0 && cfg.deleted === 'remove') {
      await store.write(async (tx) => {
        if (current?.entryUuid) await registry.removeDocuments(tx, [current.entryUuid]);
        await tx.ingest.putIngestItem(this.checkpoint(item, 'removed', null, null));
      });
      return { kind: 'removed', removed: current?.entryUuid ?? null };
    }

    const replaces = current && !olderThanCurrent ? current.entryUuid! : undefined;
    // A deleted file, or an older version arriving after a newer one, is registered Deprecated: the
    // registry keeps the history, and only the newest valid version is Approved.
    const deprecate = item.condition === 0 || olderThanCurrent;
    const regionalDomain = identity.domains.regional;
    const msg = item.message;
    const careDate = careDateOf(msg, item.dataType) || (item.careDate !== '-' ? item.careDate : '');
    const objects = clinicalDocumentObjects(
      {
        dataType: item.dataType,
        patientId: cx(read.person.regionalId, regionalDomain),
        sourcePatientId: cx(item.patientId, facility),
        sourcePatientInfo: sourcePatientInfo(msg.message.first('PID')),
        facility: { namespace: facility.namespace, oid: facility.oid },
        uniqueId: uids.document,
        submissionSetUniqueId: uids.submissionSet,
        creationTime: hl7TimeToUtcDtm(msg.message.header.dateTime) ?? hl7TimeToUtcDtm(item.timestamp.slice(0, 14))!,
        serviceStartTime: careDate ? hl7TimeToUtcDtm(careDate) : undefined,
        department: item.department,
        healthcareFacilityType: cfg.healthcareFacilityTypeCode,
        replaces,
      },
      nowDtm(),
    );
    let entryUuid = '';
    try {
      await repository.provideAndRegister(
        objects,
        [{ id: 'Document01', source: { data: item.bytes } }],
        (tx, o) => registry.register(tx, o),
        async (tx, outcome) => {
          entryUuid = outcome.documents[0].uuid;
          if (deprecate) await registry.deprecateDocuments(tx, [entryUuid]);
          await tx.ingest.putIngestItem(this.checkpoint(item, 'document', entryUuid, uids.document));
          await this.deps.audit.recordIn(
            tx,
            xdsAudit(this.deps.audit, {
              tx: XDS['ITI-41'],
              req: { replyTo: this.deps.sourceName, peer: { address: '', endpoint: `ssmix2:${facility.oid || facility.namespace}` } },
              outcome: 0,
              patientId: outcome.patientId,
              objects: [submissionSetObject(uids.submissionSet)],
            }),
          );
        },
      );
    } catch (e) {
      const errors = asRegistryErrors(e);
      if (errors) throw new Rejection('refused-by-registry', errors.map((x) => `${x.errorCode}: ${x.codeContext}`).join('; '));
      throw e;
    }
    return { kind: 'document', uniqueId: uids.document, entryUuid, status: deprecate ? 'Deprecated' : 'Approved', replaced: replaces };
  }
}
