/**
 * The SS-MIX2 adapter at a hospital, publishing to a running HIE over the network as a Patient
 * Identity Source and a Document Source: ADT-00 as ITI-8 (ADT^A08 over MLLP, PID-3 with the
 * facility's assigning authority), the regional patient ID asked with ITI-9 (PIX Query), documents as
 * ITI-41 (SOAP 1.2, MTOM), deleted or outdated versions deprecated with ITI-57. The adapter keeps
 * its own checkpoint; entryUUIDs and uniqueIds are derived from each file, so a file sent twice (a
 * crash between the answer and the checkpoint) is refused by the registry as already there and
 * recorded as such, never registered twice.
 *
 * To an HIE that requires TLS (`mllps://`, `https://`), the adapter presents its own certificate and
 * trusts the CA it is given (ATNA node authentication, ITI TF-2a 3.19.6.1). A connection that fails
 * (refused, untrusted, no answer) stops the run with a RemoteConnectionError that says why; no file
 * is checkpointed, so the next run sends them all.
 */
import { randomUUID } from 'node:crypto';
import { decodeMessage, declaredCharset, encodeMessage } from '../../hl7v2/charset.ts';
import { MllpClient } from '../../hl7v2/mllp/client.ts';
import type { DomainDirectory } from '../../identity/domainDirectory.ts';
import type { Domain } from '../../identity/types.ts';
import { encodeRegistryObjectList } from '../../ebxml/encode.ts';
import { decodeRegistryResponse, type RegistryError } from '../../ebxml/registryResponse.ts';
import { registryObject, type Association, type Classification, type ExternalIdentifier, type Identifiable, type RegistryPackage } from '../../ebxml/rim.ts';
import type { IngestConfig } from '../../kernel/config.ts';
import { callSoap, SoapClientError } from '../../soap/client.ts';
import { describeTlsFailure, type TlsClientPem } from '../../kernel/tlsClient.ts';
import { NS } from '../../soap/namespaces.ts';
import type { Store } from '../../store/types.ts';
import { AssociationTypes, ObjectTypes, Status, SubmissionSetSchemes } from '../../xds/registry/schemes.ts';
import { nowDtm } from '../../xds/registry/service.ts';
import { XDS } from '../../xds/transactions.ts';
import { derivedUniqueIds, derivedUuid, SSMIX2_CONTENT_TYPE, submissionObjects } from '../documentMetadata.ts';
import { PATIENT_DATA_TYPE } from '../ssmix2/dataTypes.ts';
import { checkpointOf, cx, documentMetadataOf, inWaves, messageOf, patientFeedOf, planOf, Rejection, submissionSetUniqueIdOf, type ClinicalItem, type ItemOutcome, type Sharing } from '../sharing.ts';
import { RequestSlots } from './requestSlots.ts';

export interface RemoteTargets {
  /** `tls`: MLLP over TLS (`mllps://`). */
  mllp: { host: string; port: number; tls: boolean };
  repositoryUrl: string;
  registryUrl: string;
}

export interface RemoteSharingDeps {
  /** The adapter's own store: only its checkpoint is used. */
  store: Store;
  domains: DomainDirectory;
  cfg: IngestConfig['ssmix2'];
  targets: RemoteTargets;
  /** MSH-3 of the adapter's messages. */
  application: string;
  /** For `mllps://` and `https://` targets: the CA to trust, and the adapter's certificate and key. */
  tls?: TlsClientPem;
}

/** The HIE could not be reached, or the TLS handshake with it failed: the run stops, nothing is checkpointed. */
export class RemoteConnectionError extends Error {}

/** Registry errors that say the submission is registered already (sent before, its checkpoint lost). */
const isAlreadyThere = (e: RegistryError) =>
  e.errorCode === 'XDSDuplicateUniqueIdInRegistry' || (e.errorCode === 'XDSRegistryMetadataError' && /already registered/.test(e.codeContext));

const fieldsOf = (line: string) => line.split('|');

/** As a hospital adapter: a few connections to the HIE, however many patients are worked on at once. */
const REMOTE_REQUESTS = 16;

export class RemoteSharing implements Sharing {
  private mllp?: Promise<MllpClient>;
  private readonly regional = new Map<string, string | undefined>();
  private controlId = 0;
  /** SOAP requests to the HIE in flight at once, whatever the ingest's concurrency. */
  private readonly requests = new RequestSlots(REMOTE_REQUESTS);

  constructor(private readonly deps: RemoteSharingDeps) {}

  async close(): Promise<void> {
    // A connection that never opened has nothing to close (its failure was reported by the send).
    if (this.mllp) await this.mllp.then((c) => c.close(), () => undefined).catch(() => undefined);
  }

  async take(item: ClinicalItem): Promise<ItemOutcome> {
    if (item.dataType.code === PATIENT_DATA_TYPE) return this.feedPatient(item);
    const [r] = await this.shareDocuments([item]);
    if (r instanceof Rejection) throw r;
    return r;
  }

  shareDocuments(items: ClinicalItem[]): Promise<(ItemOutcome | Rejection)[]> {
    return inWaves(items, (wave) => this.shareWave(wave));
  }

  private async send(text: string, charset: 'ascii' | 'iso-2022-jp'): Promise<string[][]> {
    const { host, port, tls } = this.deps.targets.mllp;
    const target = `${tls ? 'mllps' : 'mllp'}://${host}:${port}`;
    let reply: Buffer;
    try {
      this.mllp ??= MllpClient.connect({ host, port, replyTimeoutMs: 30_000, tls: tls ? { ...this.deps.tls, servername: isIp(host) ? undefined : host, minVersion: 'TLSv1.2' } : undefined });
      reply = await (await this.mllp).send(encodeMessage(text, charset));
    } catch (e) {
      throw new RemoteConnectionError(tls ? describeTlsFailure(target, e) : `connection to ${target} failed: ${(e as Error).message}`);
    }
    return decodeMessage(reply, declaredCharset(reply, 'utf-8').charset)
      .split('\r')
      .filter(Boolean)
      .map(fieldsOf);
  }

  private header(type: string, facility: Domain): string {
    const ts = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    return `MSH|^~\\&|${this.deps.application}|${facility.namespace}|HIE|REGION|${ts}||${type}|${this.deps.application}${Date.now()}${++this.controlId}|P|2.5`;
  }

  /** ITI-8: the stored ADT^A08 with PID-3 in the facility's assigning authority (and the token beside it). */
  private async feedPatient(item: ClinicalItem): Promise<ItemOutcome> {
    const { ids } = patientFeedOf(item, this.deps.domains);
    const facility = item.facility;
    const pid3 = ids.map((i) => `${i.id}^^^${i.authority.namespace}&${i.authority.oid}&${i.authority.oid ? 'ISO' : ''}${i.typeCode ? `^${i.typeCode}` : ''}`).join('~');
    const lines = messageOf(item).message.text.split('\r');
    const hasPv1 = lines.some((l) => l.startsWith('PV1|'));
    const text = lines
      .map((l) => {
        // The adapter feeds as its facility (MSH-4, as in its PIX queries): the HIS's own code in the
        // stored message need not be a facility the HIE knows, and node authorization checks MSH-4.
        if (l.startsWith('MSH|')) {
          const f = fieldsOf(l);
          while (f.length < 4) f.push('');
          f[3] = facility.namespace;
          return f.join('|');
        }
        if (!l.startsWith('PID|')) return l;
        const f = fieldsOf(l);
        while (f.length < 4) f.push('');
        f[3] = pid3;
        return f.join('|') + (hasPv1 ? '' : '\rPV1||N');
      })
      .join('\r');
    const reply = await this.send(text, 'iso-2022-jp');
    const msa = reply.find((s) => s[0] === 'MSA');
    if (msa?.[1] !== 'AA') {
      const err = reply.find((s) => s[0] === 'ERR');
      throw new Rejection('refused-by-pix', `ITI-8 answered ${msa?.[1] ?? 'nothing'}${err ? `: ${err[3] ?? ''} ${err[8] ?? ''}` : ''}`.trim());
    }
    await this.deps.store.write((tx) => tx.ingest.putIngestItem(checkpointOf(item, 'patient', null, null)));
    return { kind: 'patient', created: false };
  }

  /** ITI-9: the patient's regional (affinity domain) ID, or undefined when the PIX Manager does not know the local ID. */
  private async regionalIdOf(facility: Domain, localId: string): Promise<string | undefined> {
    const key = `${facility.key}\0${localId}`;
    if (this.regional.has(key)) return this.regional.get(key);
    const r = this.deps.domains.regional;
    const text = [
      this.header('QBP^Q23^QBP_Q21', facility),
      `QPD|IHE PIX Query|Q${randomUUID().slice(0, 8)}|${localId}^^^${facility.namespace}&${facility.oid}&ISO|^^^${r.namespace}&${r.oid}&ISO`,
      'RCP|I',
    ].join('\r');
    const reply = await this.send(text, 'ascii');
    const msa = reply.find((s) => s[0] === 'MSA')?.[1];
    const pid = reply.find((s) => s[0] === 'PID');
    const found = pid?.[3]
      ?.split('~')
      .map((rep) => rep.split('^'))
      .find((c) => (c[3] ?? '').split('&')[1] === r.oid)?.[0];
    if (msa !== 'AA' && msa !== 'AE') throw new Rejection('refused-by-pix', `ITI-9 answered ${msa ?? 'nothing'}`);
    this.regional.set(key, found);
    return found;
  }

  private async shareWave(items: ClinicalItem[]): Promise<(ItemOutcome | Rejection)[]> {
    const { store, cfg } = this.deps;
    const facility = items[0].facility;
    const regionalId = await this.regionalIdOf(facility, items[0].patientId);
    if (!regionalId) {
      return items.map(() => new Rejection('unknown-patient', `patient ${items[0].patientId} of ${facility.namespace} is not known to the PIX Manager (ITI-9): no ADT-00 or ITI-8 registered it`));
    }
    const uids = items.map((i) => derivedUniqueIds(cfg.uniqueIdRoot, facility.key, i.source, i.sha1));
    const latest = await store.read((tx) => Promise.all(items.map((i) => tx.ingest.latestDocumentVersion(facility.key, i.versionKey))));
    // The adapter knows what it deprecated: those rows are recorded 'deprecated'.
    const plans = items.map((item, k) => ({ k, ...planOf(item, latest[k], latest[k]?.outcome === 'document') }));
    try {
      return await this.submit(regionalId, plans, uids);
    } catch (e) {
      // A network failure stops the run (the files are not checkpointed: the next run takes them).
      if (!(e instanceof Rejection)) throw e;
      if (items.length === 1) return [e];
      // One refused document fails its whole submission: each is tried alone to find which.
      const out: (ItemOutcome | Rejection)[] = [];
      for (const p of plans) {
        out.push(
          await this.submit(regionalId, [p], uids).then(
            (r) => r[0],
            (e2: unknown) => {
              if (e2 instanceof Rejection) return e2;
              throw e2;
            },
          ),
        );
      }
      return out;
    }
  }

  private async submit(regionalId: string, plans: (ReturnType<typeof planOf> & { k: number })[], uids: { document: string; submissionSet: string }[]): Promise<ItemOutcome[]> {
    const { cfg, store, domains } = this.deps;
    const facility = plans[0].item.facility;
    const patientId = cx(regionalId, domains.regional);
    const entryUuids = plans.map((p) => derivedUuid('ss-mix2 entryUUID', uids[p.k].document));
    const { objects } = submissionObjects(
      { patientId, facility: { namespace: facility.namespace, oid: facility.oid }, submissionSetUniqueId: submissionSetUniqueIdOf(cfg.uniqueIdRoot, facility, plans.map((p) => uids[p.k])), healthcareFacilityType: cfg.healthcareFacilityTypeCode },
      plans.map((p) => documentMetadataOf(p.item, uids[p.k].document, p.replaces)),
      nowDtm(),
      entryUuids,
    );
    const attachments = plans.map((p, n) => ({ contentId: `doc${n + 1}.${randomUUID()}@hie`, contentType: 'application/octet-stream', data: p.item.bytes }));
    const body =
      `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xdsb}" xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}" xmlns:xop="${NS.xop}">` +
      `<lcm:SubmitObjectsRequest>${encodeRegistryObjectList(objects)}</lcm:SubmitObjectsRequest>` +
      plans.map((_, n) => `<xdsb:Document id="${entryUuids[n]}"><xop:Include href="cid:${encodeURIComponent(attachments[n].contentId)}"/></xdsb:Document>`).join('') +
      `</xdsb:ProvideAndRegisterDocumentSetRequest>`;
    const errors = await this.registryCall(this.deps.targets.repositoryUrl, XDS['ITI-41'].action, body, attachments);
    let already = false;
    if (errors.some((e) => e.severity === 'Error')) {
      if (!errors.filter((e) => e.severity === 'Error').every(isAlreadyThere)) {
        throw new Rejection('refused-by-registry', errors.map((x) => `${x.errorCode}: ${x.codeContext}`).join('; '));
      }
      already = true;
    }
    const deprecate = plans.flatMap((p, n) => (p.deprecate ? [entryUuids[n]] : []));
    if (deprecate.length > 0 && !already) await this.deprecate(patientId, facility, deprecate);
    await store.write(async (tx) => {
      for (const [n, p] of plans.entries()) await tx.ingest.putIngestItem(checkpointOf(p.item, p.deprecate ? 'deprecated' : 'document', entryUuids[n], uids[p.k].document));
    });
    return plans.map((p, n) =>
      already ? { kind: 'already-registered', uniqueId: uids[p.k].document } : { kind: 'document', uniqueId: uids[p.k].document, entryUuid: entryUuids[n], status: p.deprecate ? 'Deprecated' : 'Approved', replaced: p.replaces },
    );
  }

  /** ITI-57 Update Document Set: UpdateAvailabilityStatus Approved -> Deprecated for each entry (ITI TF-2b 3.57.4.1.3.3.2). */
  private async deprecate(patientId: string, facility: Domain, entryUuids: string[]): Promise<void> {
    const ss = 'SubmissionSet';
    const set = registryObject<RegistryPackage>(ss, {
      type: 'RegistryPackage',
      slots: [{ name: 'submissionTime', values: [nowDtm()] }],
      name: [],
      classifications: [
        registryObject<Classification>('ss-node', { type: 'Classification', classifiedObject: ss, classificationNode: ObjectTypes.submissionSet }),
        registryObject<Classification>('ss-content', { type: 'Classification', classificationScheme: SubmissionSetSchemes.contentTypeCode, classifiedObject: ss, nodeRepresentation: SSMIX2_CONTENT_TYPE.code, slots: [{ name: 'codingScheme', values: [SSMIX2_CONTENT_TYPE.codingScheme] }], name: [{ value: SSMIX2_CONTENT_TYPE.displayName }] }),
      ],
      externalIdentifiers: [
        registryObject<ExternalIdentifier>('ss-pid', { type: 'ExternalIdentifier', identificationScheme: SubmissionSetSchemes.patientId, registryObject: ss, value: patientId, name: [{ value: 'XDSSubmissionSet.patientId' }] }),
        registryObject<ExternalIdentifier>('ss-src', { type: 'ExternalIdentifier', identificationScheme: SubmissionSetSchemes.sourceId, registryObject: ss, value: facility.oid, name: [{ value: 'XDSSubmissionSet.sourceId' }] }),
        registryObject<ExternalIdentifier>('ss-uid', { type: 'ExternalIdentifier', identificationScheme: SubmissionSetSchemes.uniqueId, registryObject: ss, value: derivedUniqueIds(this.deps.cfg.uniqueIdRoot, 'ITI-57', ...entryUuids).submissionSet, name: [{ value: 'XDSSubmissionSet.uniqueId' }] }),
      ],
    });
    const changes = entryUuids.map((uuid, i) =>
      registryObject<Association>(`status${i + 1}`, {
        type: 'Association',
        associationType: AssociationTypes.updateAvailabilityStatus,
        sourceObject: ss,
        targetObject: uuid,
        slots: [
          { name: 'OriginalStatus', values: [Status.approved] },
          { name: 'NewStatus', values: [Status.deprecated] },
        ],
      }),
    );
    const objects: Identifiable[] = [set, ...changes];
    const body = `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}">${encodeRegistryObjectList(objects)}</lcm:SubmitObjectsRequest>`;
    const errors = await this.registryCall(this.deps.targets.registryUrl, XDS['ITI-57'].action, body);
    if (errors.some((e) => e.severity === 'Error')) throw new Rejection('refused-by-registry', `ITI-57: ${errors.map((x) => `${x.errorCode}: ${x.codeContext}`).join('; ')}`);
  }

  private async registryCall(url: string, action: string, bodyXml: string, attachments?: { contentId: string; contentType: string; data: Buffer }[]): Promise<RegistryError[]> {
    const https = url.startsWith('https:');
    let body;
    try {
      body = await this.requests.run(() => callSoap({ url, action, bodyXml, attachments, mtom: !!attachments, tls: https ? this.deps.tls : undefined }));
    } catch (e) {
      if (e instanceof SoapClientError) throw new Rejection('refused-by-registry', e.message);
      throw new RemoteConnectionError(https ? describeTlsFailure(url, e) : `connection to ${url} failed: ${(e as Error).message}`);
    }
    return decodeRegistryResponse(body).errors;
  }
}

const isIp = (host: string) => /^[\d.]+$|:/.test(host);
