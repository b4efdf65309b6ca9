/**
 * The storage interface, in domain terms. Every engine (SQLite, PostgreSQL) implements it and runs
 * the same test suites (store.suite.ts, registry.suite.ts, consent.suite.ts).
 *
 * A request is one `write` call: everything it does commits together or not at all, and the
 * promise settles only after the commit is durable. Inside `write`, never wait on anything but the
 * transaction's own methods (no network, no timers): the engine may batch several requests into one
 * commit, each in its own savepoint.
 *
 * The contract every engine keeps, and every caller may count on (and must not count on more):
 * - One snapshot per request: everything one `read` callback reads comes from one consistent state
 *   of the store, whatever commits meanwhile; everything one `write` callback reads is that state
 *   plus its own changes. (SQLite: one reader connection, one writer; PostgreSQL: a REPEATABLE READ
 *   transaction per read, a SERIALIZABLE one per write.)
 * - Check-then-insert holds under concurrent writers, in this process or in others on the same
 *   database: a write that looks for a row and creates it when absent (a person by token, an entry
 *   by uniqueId, an agent set) either sees the other writer's committed row or is rolled back and run
 *   again. Two writes never both create the row. (SQLite: one writer at a time; PostgreSQL:
 *   serialization failures and deadlocks are retried by the engine.)
 * - A write that breaks a uniqueness rule anyway is rejected with StoreConstraintError (errors.ts),
 *   and nothing of it is kept.
 * - A `write` callback may run more than once (PostgreSQL retries it from the start), and only the
 *   last run's changes and result count. So the callback is safe to retry: it keeps no state outside
 *   the transaction that a run it does not finish would leave behind (caches, counters, sent
 *   messages, files: do those after `write` resolves, or make them idempotent), and it does not
 *   mutate its inputs (a second run must see the same request as the first).
 * - Callbacks do not call `read` or `write` again (a nested request may wait for a connection that
 *   the outer one holds).
 * - A `read` callback may run more than once too: with read replicas (PostgreSQL), a read a replica
 *   could not finish is run again on the primary. A read may see a state up to the configured lag
 *   behind, except in a request that has written (kernel/requestScope.ts: it reads the primary).
 */
import type {
  Demographics,
  Domain,
  LinkProposal,
  MergeEvent,
  PatientRecord,
  Person,
  DemographicQuery,
  SearchCursor,
  SearchKey,
  SearchPage,
} from '../identity/types.ts';
import type { AssociationCriteria, EntryCriteria, NewEntry, StoredEntry } from '../xds/registry/entries.ts';
import type { Consent, ConsentChange, Disaster, NewConsentChange, NewDisaster, NewPatientNotification, PatientNotification } from '../consent/model.ts';

export interface IdentityReader {
  domain(key: string): Promise<Domain | undefined>;
  domainByOid(oid: string): Promise<Domain | undefined>;
  /** The domain of a namespace: the one with an OID when there is one. */
  domainByNamespace(namespace: string): Promise<Domain | undefined>;
  domains(): Promise<Domain[]>;

  /** The record of a local ID, merged or not. */
  record(domainKey: string, localId: string): Promise<PatientRecord | undefined>;
  recordById(id: number): Promise<PatientRecord | undefined>;
  /** Active (not merged) records of a person. */
  recordsOfPerson(personId: number): Promise<PatientRecord[]>;
  /**
   * Every record the person ever had: merged ones too, and those of persons merged into it (whose
   * identifiers audit messages may still name).
   */
  recordsOfPersonEver(personId: number): Promise<PatientRecord[]>;
  /** Persons merged into this one, directly or through a chain of merges. */
  personsMergedInto(personId: number): Promise<Person[]>;

  person(id: number): Promise<Person | undefined>;
  personByToken(token: string): Promise<Person | undefined>;
  personByRegionalId(regionalId: string): Promise<Person | undefined>;
  /** The person a pseudonym of a pseudonym domain was indexed for (issue 16, XCA pseudonym links). */
  personByPseudonym(domainKey: string, pseudonym: string): Promise<Person | undefined>;
  /** Up to `limit` persons with a token but no pseudonym in the domain, by id after `afterId`. */
  personsWithoutPseudonym(domainKey: string, afterId: number, limit: number): Promise<{ id: number; token: string }[]>;

  /**
   * Active records matching every criterion, in a stable order: reads at most `limit` index rows
   * after `after`, and gives each record once.
   */
  searchRecords(q: DemographicQuery, limit: number, after?: SearchCursor): Promise<SearchPage>;
  /**
   * The candidates for demographic matching: active records of other persons born on `birthDate`
   * that share one of the full-name keys (kind 'name'), the first `limit` in record order.
   */
  matchCandidates(birthDate: string, nameKeys: string[], excludePersonId: number, limit: number): Promise<PatientRecord[]>;

  /** Proposals by id; `page`: at most `limit` of them after the id `after`. */
  proposals(status?: LinkProposal['status'], page?: { after?: number; limit: number }): Promise<LinkProposal[]>;
  proposal(id: number): Promise<LinkProposal | undefined>;

  /** A merge by its id (mergePerson, mergeRecord return it). */
  mergeEvent(id: number): Promise<MergeEvent | undefined>;
  /** The latest merge not undone that merged this person or record (`kind`) away. */
  lastMerge(kind: MergeEvent['kind'], fromId: number): Promise<MergeEvent | undefined>;
}

export interface NewRecord {
  domainKey: string;
  localId: string;
  personId: number;
  demographics: Demographics;
  birthDate: string;
  sex: string;
  keys: SearchKey[];
}

export interface IdentityWriter extends IdentityReader {
  /** Adds a domain, or updates the one with the same key (a namespace-only domain learning its OID). */
  addDomain(d: Domain): Promise<void>;

  /**
   * Creates a person. Its regional ID is the one given (an affinity-domain ID a Patient Identity
   * Source assigned), or the next free one of a sequence with `regionalPrefix`.
   */
  createPerson(token: string | null, regional: { prefix: string } | { id: string }): Promise<Person>;
  setPersonToken(personId: number, token: string): Promise<void>;
  /** Indexes a person's pseudonym in a pseudonym domain (replacing the row of the same pseudonym). */
  setPseudonym(domainKey: string, pseudonym: string, personId: number): Promise<void>;
  /** Marks `fromId` merged into `intoId` and moves its records there; returns the merge's id. */
  mergePerson(fromId: number, intoId: number): Promise<number>;

  insertRecord(r: NewRecord): Promise<PatientRecord>;
  updateRecord(id: number, r: Omit<NewRecord, 'domainKey' | 'localId' | 'personId'>): Promise<void>;
  moveRecord(id: number, personId: number): Promise<void>;
  /**
   * Marks record `fromId` merged into record `intoId` (ITI-8 A40); `personMergeId`: the person merge
   * made in the same step. Returns the merge's id.
   */
  mergeRecord(fromId: number, intoId: number, personMergeId?: number): Promise<number>;
  /**
   * Undoes exactly what the merge changed (see MergeEvent) and marks it undone with the reason. The
   * caller checks that nothing merged since depends on it. A record merged back gets no search keys:
   * the caller writes them (updateRecord).
   */
  undoMerge(id: number, at: string, reason: string): Promise<void>;

  addProposal(p: Omit<LinkProposal, 'id' | 'status' | 'createdAt' | 'decidedAt'>): Promise<LinkProposal | undefined>;
  decideProposal(id: number, status: 'accepted' | 'rejected'): Promise<void>;
  /** Closes pending proposals that link the two persons (they are now one). */
  closeProposalsBetween(personA: number, personB: number): Promise<void>;
}

/** An audit event as stored: the message and the fields it is found by. */
export interface AuditRecord {
  eventTime: string;
  eventId: string;
  eventTypeCode: string;
  action: string;
  outcome: number;
  /** Where it came from: 'self' for this server's own events, else the sender. */
  origin: string;
  /**
   * The message: DICOM audit XML, or the FHIR AuditEvent JSON when `format` is 'fhir'. A received
   * message may give it as its UTF-8 bytes as they came: stored as the same text, without being
   * decoded on the way.
   */
  xml: string | Buffer;
  patientIds: string[];
  /** ATNA repository fields; absent on this server's own events, which are valid DICOM messages. */
  status?: AuditStatus;
  /** Why the message is not valid. */
  error?: string;
  /** The bytes as received, kept when the message is not valid. */
  raw?: Buffer;
  format?: 'dicom' | 'fhir';
  /** 'self', 'syslog-tls', 'syslog-tcp', 'syslog-udp' or 'fhir'. */
  transport?: string;
  /** AuditSourceID. */
  sourceId?: string;
  /** The syslog header (RFC 5424) as JSON, for messages received over syslog. */
  envelope?: string;
  /** Every EventTypeCode after the first (`eventTypeCode`). */
  moreEventTypeCodes?: string[];
  agents?: AuditAgent[];
  objects?: AuditObject[];
  /** A received message: the configured node it came from (atna/iti20/sender.ts). */
  sender?: string;
  /** A received message whose AuditSourceID is not the sending node's, or from a peer that matched no node. */
  senderMark?: 'source-not-sender' | 'unknown-sender';
}

/**
 * valid: a DICOM audit message (or FHIR AuditEvent) that passed validation; invalid: kept raw with
 * its error and indexed on a best-effort basis; unparsed: kept raw with its error, not indexed.
 */
export type AuditStatus = 'valid' | 'invalid' | 'unparsed';

/** ActiveParticipant, as indexed. */
export interface AuditAgent {
  userId: string;
  userName: string;
  altUserId: string;
  networkAccessPoint: string;
  requestor: boolean;
}

/** ParticipantObjectIdentification, as indexed. */
export interface AuditObject {
  id: string;
  typeCode: number | null;
  roleCode: number | null;
  idTypeCode: string;
}

export interface StoredAuditRecord extends AuditRecord {
  xml: string;
  id: number;
  recordedAt: string;
  status: AuditStatus;
  format: 'dicom' | 'fhir';
  transport: string;
  sourceId: string;
}

/** A patient identifier as audit messages name it: the CX-1 value in an assigning authority. */
export interface AuditPatientKey {
  value: string;
  oid?: string;
  namespace?: string;
}

/**
 * An ITI-81 search: each criterion is a list of alternatives (any may match); criteria all apply.
 * Only indexed events (status valid or invalid) are found.
 */
export interface AuditSearch {
  /** event_time compared with UTC instants (ISO 8601, Z). */
  time?: { op: 'ge' | 'gt' | 'le' | 'lt'; instant: string }[];
  eventId?: string[][];
  eventTypeCode?: string[][];
  action?: string[][];
  outcome?: number[][];
  sourceId?: string[][];
  /** ActiveParticipant NetworkAccessPointID. */
  address?: string[][];
  /** ActiveParticipant UserID or UserName. */
  agent?: string[][];
  patient?: AuditPatientKey[][];
  objectId?: string[][];
  objectType?: number[][];
  objectRole?: number[][];
  sort: 'date' | '-date';
  /** Keyset paging: continue after this event (in sort order). */
  after?: { eventTime: string; id: number };
  limit: number;
}

export interface AuditReader {
  auditEvents(filter: { eventTypeCode?: string; patientId?: string; status?: AuditStatus; limit?: number }): Promise<StoredAuditRecord[]>;
  auditEvent(id: number): Promise<StoredAuditRecord | undefined>;
  searchAudit(q: AuditSearch): Promise<StoredAuditRecord[]>;
  countAudit(q: AuditSearch): Promise<number>;
  /** Indexed events naming any of these patient identifiers (own and received), oldest first. */
  auditEventsOfPatients(keys: AuditPatientKey[], limit: number): Promise<StoredAuditRecord[]>;
}

export interface AuditWriter extends AuditReader {
  appendAudit(e: AuditRecord): Promise<number>;
}

/** A message waiting to leave: ITI-10 notifications now, audit forwarding later. */
export interface OutboxMessage {
  id: number;
  channel: string;
  destination: string;
  payload: Buffer;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface OutboxReader {
  /**
   * Unsent messages of the destinations whose oldest unsent message is due, oldest first: a
   * destination being retried holds back everything behind its head.
   */
  dueMessages(channel: string, now: number, limit: number): Promise<OutboxMessage[]>;
  pendingCount(channel: string): Promise<number>;
}

export interface OutboxWriter extends OutboxReader {
  enqueue(channel: string, destination: string, payload: Buffer): Promise<void>;
  markSent(id: number): Promise<void>;
  markFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
}

/**
 * Claims on outbox messages, for engines that several processes share; each method is one request of
 * its own. markSent and markFailed end a claim too.
 */
export interface OutboxClaims {
  /**
   * Claims for `holder` until `until` (epoch ms) the due messages (as dueMessages) of destinations no
   * other holder has claimed, and returns them: each message is sent by one process, in order per
   * destination. A claim not ended expires (its holder died mid-send) and the messages are claimed
   * again: at least once, never lost.
   */
  claimDue(channel: string, now: number, limit: number, holder: string, until: number): Promise<OutboxMessage[]>;
  /** Gives back the holder's claims on these messages, for another run or process to take. */
  releaseClaims(ids: number[], holder: string): Promise<void>;
}

/**
 * Open interactive queries (continuation pointers) kept in the database, so that any process on it
 * continues a query another opened; each method is one request of its own. `state` is the query's
 * place, opaque here. Expired queries are never given back.
 */
export interface ContinuationTable {
  /** Keeps a query, first dropping expired ones, the node's oldest beyond `maxPerNode - 1`, and the oldest of the node holding most while `maxOpen` are open. */
  put(q: { pointer: string; node: string; requester: string; queryTag: string; state: string; expiresAt: number }, limits: { maxOpen: number; maxPerNode: number }): Promise<void>;
  /** Removes and gives the state of the query under `pointer`, when it is this requester's, with this tag, and alive. */
  take(pointer: string, queryTag: string, requester: string, now: number): Promise<string | undefined>;
  /** Removes the requester's queries with this tag; true when there was one. */
  cancel(queryTag: string, requester: string, node: string): Promise<boolean>;
  /** Open (alive) queries, of one node or of all. */
  count(now: number, node?: string): Promise<number>;
}

/** The XDS Document Registry's objects (DocumentEntries, SubmissionSets, Folders, Associations). */
export interface RegistryReader {
  entries(uuids: string[]): Promise<StoredEntry[]>;
  entriesByUniqueId(kind: 'DocumentEntry' | 'SubmissionSet' | 'Folder', uniqueIds: string[]): Promise<StoredEntry[]>;
  /** Every version of the logical objects, oldest first. */
  entriesByLid(lids: string[]): Promise<StoredEntry[]>;
  /** Matches of a Find query, at most `limit` (the caller asks one more than it allows to see an excess). */
  findEntries(c: EntryCriteria, limit: number): Promise<StoredEntry[]>;
  associations(c: AssociationCriteria, limit: number): Promise<StoredEntry[]>;
  /** The persons whose entries count as `personId`'s: itself and those merged into it (ITI TF-2a 3.8.4.2.4). */
  personsOf(personId: number): Promise<number[]>;
}

export interface RegistryWriter extends RegistryReader {
  insertEntry(e: NewEntry): Promise<void>;
  setStatus(uuid: string, status: string): Promise<void>;
  /** Replaces the object (and what it is found by) of an entry, e.g. a Folder's lastUpdateTime. */
  replaceObject(e: NewEntry): Promise<void>;
  deleteEntries(uuids: string[]): Promise<void>;
}

/** A document held by the XDS Document Repository: its bytes are a blob named by hash. */
export interface RepositoryDocument {
  uniqueId: string;
  repositoryUniqueId: string;
  mimeType: string;
  hash: string;
  size: number;
  blob: string;
}

export interface RepositoryReader {
  documents(repositoryUniqueId: string, uniqueIds: string[]): Promise<RepositoryDocument[]>;
  /** How many documents refer to a blob (one blob may hold identical documents). */
  blobReferences(blob: string): Promise<number>;
}

export interface RepositoryWriter extends RepositoryReader {
  /** Adds a document; false (and nothing changed) when the repository already holds its uniqueId. */
  putDocument(d: RepositoryDocument): Promise<boolean>;
  deleteDocument(repositoryUniqueId: string, uniqueId: string): Promise<void>;
}

/**
 * What the SS-MIX2 ingest and the clinical feed have taken in: one item per storage file (keyed by
 * its path under the facility) or feed message, written with what it did.
 */
export interface IngestItem {
  /** The facility's domain key. */
  facility: string;
  /** The file's path relative to the storage root, or `mllp:<sender>/<control id>` for a feed message. */
  source: string;
  size: number;
  mtimeMs: number;
  sha1: string;
  /** Versions of one piece of data share it (patient, care date, data type, order number). */
  versionKey: string;
  /** The file name's timestamp (YYYYMMDDHHMMSSfff): later versions replace earlier ones. */
  timestamp: string;
  condition: number;
  /** 'patient' (fed to the PIX Manager), 'document' (registered), 'removed' (a deletion applied by removal). */
  outcome: string;
  /** The DocumentEntry registered for it. */
  entryUuid: string | null;
  uniqueId: string | null;
}

export interface IngestReader {
  ingestItem(facility: string, source: string): Promise<IngestItem | undefined>;
  /** The latest version with a registered document of a piece of data (by timestamp). */
  latestDocumentVersion(facility: string, versionKey: string): Promise<IngestItem | undefined>;
  ingestItemCount(facility?: string): Promise<number>;
}

export interface IngestWriter extends IngestReader {
  /** Records (or replaces, for a changed file) an item. */
  putIngestItem(item: IngestItem): Promise<void>;
}

/** Patients' consent (current record and history) and declared disasters (consent/model.ts). */
export interface ConsentReader {
  /** The current consent of each of these persons that has one. */
  consents(personIds: number[]): Promise<Consent[]>;
  /** Every change of a person's consent, oldest first. */
  consentHistory(personId: number): Promise<ConsentChange[]>;
  /** Declared disasters, newest first; with `activeAt`, only those in force at that instant. */
  disasters(filter?: { activeAt?: string }): Promise<Disaster[]>;
  disaster(id: number): Promise<Disaster | undefined>;
  /** The notifications of these persons (a survivor and those merged into it), newest first. */
  patientNotifications(personIds: number[], limit: number): Promise<PatientNotification[]>;
  unreadNotifications(personIds: number[]): Promise<number>;
}

export interface ConsentWriter extends ConsentReader {
  /** Makes `change.consent` the person's current consent and appends the change to its history. */
  recordConsent(change: NewConsentChange): Promise<ConsentChange>;
  declareDisaster(d: NewDisaster): Promise<Disaster>;
  /** Ends a disaster at `at`; undefined when there is no such disaster. */
  endDisaster(id: number, at: string): Promise<Disaster | undefined>;
  addPatientNotification(n: NewPatientNotification): Promise<PatientNotification>;
  /** Marks these notifications of these persons read at `at` (those not read yet); returns how many. */
  markNotificationsRead(personIds: number[], ids: number[], at: string): Promise<number>;
}

export interface ReadTx {
  identity: IdentityReader;
  audit: AuditReader;
  outbox: OutboxReader;
  registry: RegistryReader;
  repository: RepositoryReader;
  ingest: IngestReader;
  consent: ConsentReader;
}

export interface WriteTx {
  identity: IdentityWriter;
  audit: AuditWriter;
  outbox: OutboxWriter;
  registry: RegistryWriter;
  repository: RepositoryWriter;
  ingest: IngestWriter;
  consent: ConsentWriter;
}

export interface Store {
  readonly engine: string;
  /** Runs `fn` on one snapshot of the store (see the contract above). */
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** Runs `fn` as one all-or-nothing request, perhaps more than once (see the contract above). */
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Open interactive queries kept in the database for every process (PostgreSQL); absent: each process keeps its own in memory. */
  readonly continuations?: ContinuationTable;
  /** Claims on outbox messages, where several processes dispatch one outbox (PostgreSQL); absent: one process dispatches it. */
  readonly outboxClaims?: OutboxClaims;
  /** Audit records by month of receipt, for the retention job (audit/retention); absent: the engine keeps them all. */
  readonly auditMonths?: AuditMonths;
  /** The bytes the database takes on its server (PostgreSQL); absent: its files are under dataDir. */
  databaseBytes?(): Promise<number>;
}

/**
 * Audit records held by month of receipt (recorded_at, YYYY-MM in UTC): made ready ahead, and removed
 * a month at a time once archived. The work of one run happens inside `runOnce`.
 */
export interface AuditMonths {
  /**
   * Runs `work` unless another process on the database runs this job now or finished it less than
   * `intervalMs` before `now` (epoch ms); true when it ran.
   */
  runOnce(job: string, intervalMs: number, now: number, work: (w: AuditMonthsWork) => Promise<void>): Promise<boolean>;
}

export interface AuditMonthsWork {
  /** Makes the months from `month` to `ahead` months after it ready to receive records, and any month a record fell outside of. */
  prepare(month: string, ahead: number): Promise<string[]>;
  /** Months holding records received before `month`, oldest first. */
  monthsBefore(month: string): Promise<string[]>;
  /**
   * Hands every record received in `month` to `archive`, in id order, and removes them all once
   * `archive` resolved (it must read them all, and resolve only when what it wrote is durable); how
   * many. When `archive` throws, nothing is removed.
   */
  expire(month: string, archive: (records: AsyncIterable<StoredAuditRecord>) => Promise<void>): Promise<number>;
}
