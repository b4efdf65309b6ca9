/**
 * The read paths' services in process for unit tests: a SQLite store in a temporary folder, the
 * identity and registry services of a real config, patients fed and documents registered through
 * the services, and access decisions that tests set rule by rule (RuleDecisions, a test double of
 * AccessDecisions; the real one is the consent service).
 */
import path from 'node:path';
import type { AccessDecisions, BreakGlass, PatientView } from '../../src/consent/decision.ts';
import { readScoped, type ScopedReader } from '../../src/consent/scopedReader.ts';
import { ConsentService } from '../../src/consent/service.ts';
import { decodeRegistryObjectList, registryObjectListOf } from '../../src/ebxml/decode.ts';
import { DomainDirectory } from '../../src/identity/domainDirectory.ts';
import { IdentityService } from '../../src/identity/service.ts';
import type { Config } from '../../src/kernel/config.ts';
import { internalContext, type NodeIdentity, type NodeRole, type RequestContext } from '../../src/kernel/requestContext.ts';
import { validate } from '../../src/server/config/load.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { Store } from '../../src/store/types.ts';
import { registryService } from '../../src/xds/assemble.ts';
import type { StoredEntry } from '../../src/xds/registry/entries.ts';
import type { RegistryService } from '../../src/xds/registry/service.ts';
import { BlobStore } from '../../src/xds/repository/blobStore.ts';
import { tempDir } from './hieServer.ts';
import { affinityConfig, NIST_AFFINITY } from './xds.ts';
import { submitObjectsRequest, type SubmissionSpec } from './xdsMetadata.ts';
import { parseXml } from '../../src/xml/parse.ts';
import { AuditService } from '../../src/audit/auditService.ts';
import { Hl7v2Message } from '../../src/hl7v2/message.ts';
import type { Hl7Request } from '../../src/hl7v2/transaction.ts';
import type { SoapRequest } from '../../src/soap/endpoint.ts';

export const HOSP_A = { namespace: 'HOSP_A', oid: '1.2.392.999.1', type: 'ISO' };
export const HOSP_B = { namespace: 'HOSP_B', oid: '1.2.392.999.2', type: 'ISO' };
export const REPOSITORY = '2.999.392.1.3';

/** Access decided by sets the test fills: hidden patients, hidden documents, documents shown by break-glass only. */
export class RuleDecisions implements AccessDecisions {
  readonly hiddenPatients = new Set<number>();
  /** uniqueIds of documents withheld from the requester. */
  readonly hiddenDocuments = new Set<string>();
  /** uniqueIds of documents withheld but shown by break-glass. */
  readonly glassDocuments = new Set<string>();
  /** Patients hidden but found by break-glass. */
  readonly glassPatients = new Set<number>();
  readonly recorded: { personId: number; transaction: string; items: string[] }[] = [];
  views = 0;

  auditTrailRefusal(): string | undefined {
    return 'the read-path tests read no audit trail';
  }

  async viewOf(_tx: unknown, _ctx: RequestContext, personId: number): Promise<PatientView> {
    this.views++;
    const glass: BreakGlass = { kind: 'emergency', purposeOfUse: 'EMERGENCY' };
    const view: { personId: number; patientVisible: boolean; breakGlassUsed?: BreakGlass; document(e: StoredEntry): boolean } = {
      personId,
      patientVisible: !this.hiddenPatients.has(personId),
      document: (e) => {
        const uid = e.uniqueId ?? '';
        if (this.glassDocuments.has(uid)) {
          view.breakGlassUsed = glass;
          return true;
        }
        return view.patientVisible && !this.hiddenDocuments.has(uid);
      },
    };
    if (this.glassPatients.has(personId)) {
      view.patientVisible = true;
      view.breakGlassUsed = glass;
    }
    return view;
  }

  async recordBreakGlass(_tx: unknown, _ctx: RequestContext, view: PatientView, what: { transaction: string; items: string[] }): Promise<void> {
    this.recorded.push({ personId: view.personId, ...what });
  }
}

export interface ReadFixture {
  config: Config;
  store: Store;
  identity: IdentityService;
  registry: RegistryService;
  /** The rules of RuleDecisions (used unless the fixture runs with the consent service). */
  decisions: RuleDecisions;
  /** What the read paths ask: `decisions`, or the real consent service. */
  access: AccessDecisions;
  consent: ConsentService;
  blobs: BlobStore;
  audit: AuditService;
  /** Feeds a patient with a regional ID of the affinity domain and local IDs; returns the person's id. */
  patient(regionalId: string, locals?: { authority: typeof HOSP_A; id: string }[], name?: string): Promise<number>;
  /** Registers a submission for a patient, as the given facility; fills in ids and uniqueIds of `spec`. */
  submit(spec: SubmissionSpec, facility?: string | null): Promise<SubmissionSpec>;
  /** The stored DocumentEntry of a uniqueId. */
  entry(uniqueId: string): Promise<StoredEntry>;
  /** Stores the bytes of a registered document in the repository. */
  storeDocument(uniqueId: string, bytes: Buffer): Promise<void>;
  read<T>(fn: (r: ScopedReader) => Promise<T>, ctx?: RequestContext): Promise<T>;
  close(): Promise<void>;
}

export const affinityPid = (id: string) => `${id}^^^&${NIST_AFFINITY}&ISO`;

export async function readFixture(opts: { consent?: boolean } = {}): Promise<ReadFixture> {
  const dataDir = tempDir('hie-reads-');
  const config = validate({
    ...affinityConfig(),
    dataDir,
    identity: { ...affinityConfig().identity, token: { issuerKey: 'test-issuer-key-0123456789abcdef' }, domains: [HOSP_A, HOSP_B].map(({ namespace, oid }) => ({ namespace, oid })) },
  });
  const store = new SqliteStore({ path: path.join(dataDir, 'hie.db') });
  const domains = new DomainDirectory(config.identity);
  await store.write((tx) => domains.seed(tx));
  const identity = new IdentityService(config.identity, domains);
  const registry = registryService(config, identity);
  const decisions = new RuleDecisions();
  const consent = new ConsentService(config.consent);
  const access: AccessDecisions = opts.consent ? consent : decisions;
  const blobs = new BlobStore(path.join(dataDir, 'blobs'));
  const f: ReadFixture = {
    config,
    store,
    identity,
    registry,
    decisions,
    access,
    consent,
    blobs,
    audit: new AuditService(store, config.node),
    async patient(regionalId, locals = [], name = 'YAMADA^TARO') {
      return store.write(async (tx) => {
        const identifiers = [];
        for (const l of locals) identifiers.push({ domain: await domains.findOrRegister(tx, l.authority, 0), id: l.id });
        identifiers.push({ domain: domains.regional, id: regionalId });
        const [family, given] = name.split('^');
        const demographics = { fields: { 5: [[[family], [given ?? '']]], 7: [[['19700101']]], 8: [[['M']]] } };
        return (await identity.registerFeed(tx, { identifiers, regionalId, demographics })).personId;
      });
    },
    async submit(spec, facility = null) {
      // The fixture's documents are this repository's (storeDocument puts their bytes here).
      for (const d of spec.docs) d.repositoryUniqueId ??= REPOSITORY;
      const objects = decodeRegistryObjectList(registryObjectListOf(parseXml(submitObjectsRequest(spec)))!);
      await store.write((tx) => registry.register(tx, objects, { facility }));
      return spec;
    },
    async entry(uniqueId) {
      const [e] = await store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [uniqueId]));
      return e;
    },
    async storeDocument(uniqueId, bytes) {
      const blob = await blobs.write({ data: bytes });
      await store.write((tx) => tx.repository.putDocument({ uniqueId, repositoryUniqueId: REPOSITORY, mimeType: 'text/plain', hash: blob.hash, size: blob.size, blob: blob.name }));
    },
    read(fn, ctx = internalContext('test')) {
      return readScoped({ store, decisions: access, identity }, ctx, 'TEST', fn);
    },
    close: () => store.close(),
  };
  return f;
}

/** A request of an HL7 v2 transaction as the MLLP endpoint hands it over (segments CR-separated). */
export function hl7Request(text: string, context: RequestContext = internalContext('test')): Hl7Request {
  const message = Hl7v2Message.parse(text);
  return { message, charset: 'utf-8', peer: { address: '127.0.0.1', port: 1 }, context: { ...context, hl7: { application: message.header.sendingApplication, facility: message.header.sendingFacility } } };
}

/** A request of a SOAP transaction as the endpoint hands it over: the Body's element, no attachments. */
export function soapRequest(action: string, bodyXml: string, context: RequestContext = internalContext('test')): SoapRequest {
  return { action, body: parseXml(bodyXml), parts: new Map(), mtom: false, peer: { address: '127.0.0.1', endpoint: 'http://127.0.0.1/services' }, context };
}

/** A node of the request context, as config would make it: its facilities are its sourceIds, its name its AuditSourceID. */
export const testNode = (name: string, facilities: string[], roles: NodeRole[], more: Partial<NodeIdentity> = {}): NodeIdentity => ({
  name,
  facilities,
  sourceIds: facilities,
  auditSourceIds: [name],
  roles: new Set(roles),
  breakGlass: new Set(),
  requireAssertion: false,
  ...more,
});
