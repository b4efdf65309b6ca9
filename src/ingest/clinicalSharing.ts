/**
 * One clinical HL7 v2 message of a facility taken into the HIE, whether it was read from SS-MIX2
 * storage or pushed over MLLP: ADT-00 feeds the patient through the PIX Manager's identity service
 * (the same code path as ITI-8); every other data type becomes an XDS document through the repository
 * and registry services (the same code path as ITI-41). What was taken in is recorded in the same
 * write as what it did, so nothing is taken twice.
 */
import { internalContext } from '../kernel/requestContext.ts';
import type { AuditService } from '../audit/auditService.ts';
import { IdentityError } from '../identity/errors.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Person } from '../identity/types.ts';
import { cxString } from '../pix/codec/cx.ts';
import { readDemographics } from '../pix/codec/pid.ts';
import { iti8AuditMessages } from '../pix/iti8/audit.ts';
import type { PixNotifier } from '../pix/iti10/notifier.ts';
import { toPatientFeed } from '../pix/patientFeed.ts';
import type { IngestConfig } from '../kernel/config.ts';
import type { Association } from '../ebxml/rim.ts';
import type { ReadTx, Store } from '../store/types.ts';
import { submissionSetObject, xdsAudit } from '../xds/audit.ts';
import { asRegistryErrors } from '../xds/registry/errors.ts';
import { AssociationTypes, Status } from '../xds/registry/schemes.ts';
import { nowDtm, type RegistryService } from '../xds/registry/service.ts';
import type { RepositoryService } from '../xds/repository/service.ts';
import { XDS } from '../xds/transactions.ts';
import { derivedUniqueIds, submissionObjects } from './documentMetadata.ts';
import { PATIENT_DATA_TYPE } from './ssmix2/dataTypes.ts';
import { checkpointOf, cx, documentMetadataOf, inWaves, messageOf, patientFeedOf, planOf, Rejection, submissionSetUniqueIdOf, type ClinicalItem, type ItemOutcome, type Sharing } from './sharing.ts';
import type { BlobStaging } from './blobStaging.ts';

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
  /** Bulk ingest: blobs staged and flushed in batches before their registration. */
  staging?: BlobStaging;
  /** PID-3 repetitions an ADT-00 patient feed may carry (config pix.maxIdentifiers). */
  maxIdentifiers?: number;
}

/**
 * What goes with a DocumentEntry removed by ITI-62, which leaves no reference dangling: every
 * association to or from it, and its SubmissionSet when it was the only member.
 */
async function removalSet(tx: ReadTx, uuid: string): Promise<string[]> {
  const all = Number.MAX_SAFE_INTEGER;
  const assocs = await tx.registry.associations({ either: [uuid] }, all);
  const set = new Set([uuid, ...assocs.map((a) => a.uuid)]);
  for (const a of assocs) {
    const o = a.object as Association;
    if (o.associationType !== AssociationTypes.hasMember || o.targetObject !== uuid) continue;
    const members = await tx.registry.associations({ sources: [o.sourceObject], types: [AssociationTypes.hasMember] }, all);
    if (members.every((m) => set.has(m.uuid))) {
      set.add(o.sourceObject);
      for (const r of await tx.registry.associations({ either: [o.sourceObject] }, all)) set.add(r.uuid);
    }
  }
  return [...set];
}

export class ClinicalSharing implements Sharing {
  constructor(private readonly deps: SharingDeps) {}

  async take(item: ClinicalItem): Promise<ItemOutcome> {
    return item.dataType.code === PATIENT_DATA_TYPE ? this.feedPatient(item) : this.shareDocument(item);
  }

  /** ADT-00 (ADT^A08): the patient registered or updated in the facility's domain, as ITI-8 does. */
  private async feedPatient(item: ClinicalItem): Promise<ItemOutcome> {
    const { identity, store, notifier } = this.deps;
    const { pid, ids } = patientFeedOf(item, identity.domains, this.deps.maxIdentifiers);
    const msg = messageOf(item).message;
    const source = { application: msg.header.sendingApplication, facility: msg.header.sendingFacility };
    try {
      const outcome = await store.write(async (tx) => {
        const feed = await toPatientFeed(tx, identity.domains, ids, readDemographics(pid), source);
        const o = await identity.registerFeed(tx, feed);
        if (o.crossReferenceChanged && notifier?.enabled) await notifier.enqueue(tx, o.personId);
        await tx.ingest.putIngestItem(checkpointOf(item, 'patient', null, null));
        // Audited as the ITI-8 feed it is (ITI TF-2 3.8.5.1.2), the storage as its source.
        const req = { message: msg, charset: messageOf(item).charset, peer: { address: '', port: 0 }, context: internalContext() };
        const patients = ids.map((i) => cxString({ id: i.id, domain: i.authority }));
        for (const m of iti8AuditMessages(this.deps.audit, { req, event: 'A08', outcome: 0, patients })) await this.deps.audit.recordIn(tx, m);
        return o;
      });
      return { kind: 'patient', created: outcome.created };
    } catch (e) {
      if (e instanceof IdentityError) throw new Rejection('refused-by-pix', e.message);
      throw e;
    }
  }

  /**
   * Shares one patient's documents of a facility: those whose versions follow one another go in
   * successive submissions (a replacement needs its predecessor registered), the rest together.
   */
  async shareDocuments(items: ClinicalItem[]): Promise<(ItemOutcome | Rejection)[]> {
    return inWaves(items, (wave) => this.shareWave(wave));
  }

  private async shareDocument(item: ClinicalItem): Promise<ItemOutcome> {
    const [r] = await this.shareWave([item]);
    if (r instanceof Rejection) throw r;
    return r;
  }

  /** Documents of one patient with distinct version keys, in one submission where possible. */
  private async shareWave(items: ClinicalItem[]): Promise<(ItemOutcome | Rejection)[]> {
    const { identity, store, registry, cfg } = this.deps;
    const facility = items[0].facility;
    const uids = items.map((i) => derivedUniqueIds(cfg.uniqueIdRoot, facility.key, i.source, i.sha1));
    const read = await store.read(async (tx) => {
      const persons = new Map<string, Person | undefined>();
      for (const i of items) {
        if (persons.has(i.patientId)) continue;
        const r = await identity.resolve(tx, facility, i.patientId);
        persons.set(i.patientId, r.kind === 'person' ? r.person : undefined);
      }
      const current = await Promise.all(items.map((i) => tx.ingest.latestDocumentVersion(facility.key, i.versionKey)));
      const entries = new Map((await tx.registry.entries(current.map((c) => c?.entryUuid).filter((u): u is string => !!u))).map((e) => [e.uuid, e]));
      const registered = new Map((await tx.registry.entriesByUniqueId('DocumentEntry', uids.map((u) => u.document))).map((e) => [e.uniqueId!, e]));
      return { persons, current, entries, registered };
    });

    const results: (ItemOutcome | Rejection | undefined)[] = items.map(() => undefined);
    const toRegister: number[] = [];
    const found: number[] = [];
    for (const [k, item] of items.entries()) {
      if (!read.persons.get(item.patientId)) {
        results[k] = new Rejection('unknown-patient', `patient ${item.patientId} of ${facility.namespace || facility.oid} is not known: no ADT-00 or ITI-8 registered it`);
      } else if (read.registered.has(uids[k].document)) {
        found.push(k);
      } else toRegister.push(k);
    }
    if (found.length > 0) {
      // Registered before, their checkpoint lost: recorded, registered nothing again.
      await store.write(async (tx) => {
        for (const k of found) await tx.ingest.putIngestItem(checkpointOf(items[k], 'document', read.registered.get(uids[k].document)!.uuid, uids[k].document));
      });
      for (const k of found) results[k] = { kind: 'already-registered', uniqueId: uids[k].document };
    }

    const plans = toRegister.map((k) => {
      const c = read.current[k];
      return { k, ...planOf(items[k], c, !!c?.entryUuid && read.entries.get(c.entryUuid)?.status === Status.approved) };
    });
    const removals = plans.filter((p) => p.item.condition === 0 && cfg.deleted === 'remove');
    for (const p of removals) {
      await store.write(async (tx) => {
        if (p.current?.entryUuid) await registry.removeMetadata(tx, await removalSet(tx, p.current.entryUuid));
        await tx.ingest.putIngestItem(checkpointOf(p.item, 'removed', null, null));
      });
      results[p.k] = { kind: 'removed', removed: p.current?.entryUuid ?? null };
    }
    const submit = plans.filter((p) => !removals.includes(p));
    if (submit.length > 0) {
      const person = read.persons.get(submit[0].item.patientId)!;
      try {
        const outcomes = await this.submit(person, submit, uids);
        submit.forEach((p, n) => (results[p.k] = outcomes[n]));
      } catch (e) {
        if (!(e instanceof Rejection)) throw e;
        if (submit.length === 1) results[submit[0].k] = e;
        else {
          // One refused document fails its whole submission: each is tried alone to find which.
          for (const p of submit) {
            try {
              results[p.k] = await this.shareDocument(p.item);
            } catch (e2) {
              if (!(e2 instanceof Rejection)) throw e2;
              results[p.k] = e2;
            }
          }
        }
      }
    }
    // Bytes a reader thread staged for a document that was not registered are not kept.
    for (const [k, item] of items.entries()) {
      const r = results[k];
      if (item.staged?.created && (r instanceof Rejection || r?.kind === 'removed')) await this.discardUnreferenced(item.staged.name);
    }
    return results.map((r) => r!);
  }

  private async discardUnreferenced(blob: string): Promise<void> {
    if ((await this.deps.store.read((tx) => tx.repository.blobReferences(blob))) === 0) this.deps.repository.blobs.remove(blob);
  }

  /** One Provide and Register (as ITI-41) of the planned documents; the checkpoint and the audit commit with it. */
  private async submit(person: Person, plans: { k: number; item: ClinicalItem; replaces?: string; deprecate: boolean }[], uids: { document: string; submissionSet: string }[]): Promise<ItemOutcome[]> {
    const { identity, registry, repository, cfg } = this.deps;
    const facility = plans[0].item.facility;
    const docs = plans.map(({ item, k, replaces }) => documentMetadataOf(item, uids[k].document, replaces));
    const submissionSetUniqueId = submissionSetUniqueIdOf(cfg.uniqueIdRoot, facility, plans.map((p) => uids[p.k]));
    const { objects, documentIds } = submissionObjects(
      { patientId: cx(person.regionalId, identity.domains.regional), facility: { namespace: facility.namespace, oid: facility.oid }, submissionSetUniqueId, healthcareFacilityType: cfg.healthcareFacilityTypeCode },
      docs,
      nowDtm(),
    );
    const staging = this.deps.staging;
    const staged = staging ? await Promise.all(plans.map((p) => (p.item.staged ? staging.durable(p.item.staged) : staging.stage(p.item.bytes, p.item.sha1)))) : [];
    let uuids: string[] = [];
    try {
      await repository.provideAndRegister(
        objects,
        // The reader thread hashed the bytes already; the objects were made for this submission only.
        plans.map((p, n) => ({ id: documentIds[n], source: { data: p.item.bytes, sha1: p.item.sha1 } })),
        // Each entry records the facility that submitted it (what ITI-57/62 authorization checks).
        (tx, o) => registry.register(tx, o, { owned: true, facility: facility.key }),
        async (tx, outcome) => {
          uuids = outcome.documents.map((d) => d.uuid);
          const deprecated = plans.flatMap((p, n) => (p.deprecate ? [uuids[n]] : []));
          if (deprecated.length > 0) await registry.deprecateDocuments(tx, deprecated);
          for (const [n, p] of plans.entries()) await tx.ingest.putIngestItem(checkpointOf(p.item, 'document', uuids[n], uids[p.k].document));
          await this.deps.audit.recordIn(
            tx,
            xdsAudit(this.deps.audit, {
              tx: XDS['ITI-41'],
              req: { replyTo: this.deps.sourceName, peer: { address: '', endpoint: `ssmix2:${facility.oid || facility.namespace}` } },
              outcome: 0,
              patientId: outcome.patientId,
              objects: [submissionSetObject(submissionSetUniqueId)],
            }),
          );
        },
      );
    } catch (e) {
      for (const b of staged) if (b.created) await this.discardUnreferenced(b.name);
      const errors = asRegistryErrors(e);
      if (errors) throw new Rejection('refused-by-registry', errors.map((x) => `${x.errorCode}: ${x.codeContext}`).join('; '));
      throw e;
    }
    return plans.map((p, n) => ({ kind: 'document', uniqueId: uids[p.k].document, entryUuid: uuids[n], status: p.deprecate ? 'Deprecated' : 'Approved', replaced: p.replaces }));
  }
}
