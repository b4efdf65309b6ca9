/**
 * The whole server assembled in one place: config in, services built and passed down, listeners
 * started in order, and stopped in the reverse order. Nothing is reached through globals.
 */
import path from 'node:path';
import { applicationActivity } from '../audit/applicationActivity.ts';
import { ATNA_CHANNEL, AuditService } from '../audit/auditService.ts';
import { controlIdGenerator } from '../hl7v2/controlId.ts';
import { hl7Endpoint } from '../hl7v2/endpoint.ts';
import { MllpServer } from '../hl7v2/mllp/server.ts';
import type { Hl7Transaction } from '../hl7v2/transaction.ts';
import { DomainDirectory } from '../identity/domainDirectory.ts';
import { IdentityService } from '../identity/service.ts';
import { TokenIssuer } from '../identity/token/issuer.ts';
import { iti8Transaction } from '../pix/iti8/transaction.ts';
import { iti9Transaction } from '../pix/iti9/transaction.ts';
import { ITI10_CHANNEL, PixNotifier } from '../pix/iti10/notifier.ts';
import { Iti10Sender } from '../pix/iti10/sender.ts';
import { iti21Transactions } from '../pdq/iti21/transaction.ts';
import { SyslogSender } from '../atna/forward/syslogSender.ts';
import { atnaFhirRouter } from '../atna/fhirRoutes.ts';
import { atnaCapability, atnaTransaction } from '../atna/fhirCapability.ts';
import { fhirSurface, mhdFace, patientFaces } from './fhirFaces.ts';
import { mhdProvideBundle } from '../mhd/iti65/route.ts';
import { individualNumberScreen } from '../audit/individualNumberScreen.ts';
import { FhirAuditFeed } from '../atna/iti20/fhirFeed.ts';
import { AuditIngest } from '../atna/iti20/ingest.ts';
import { AuditEventRetriever } from '../atna/iti81/retrieve.ts';
import { AccessReporter } from '../atna/report/accessReport.ts';
import { atnaReportRouter } from '../atna/reportRoutes.ts';
import { DisplayNames } from '../atna/report/displayNames.ts';
import { FhirSchemaValidator } from '../fhir/schemaValidator.ts';
import { auditRefusals } from '../atna/nodeAuthentication.ts';
import { SyslogDatagramListener } from '../atna/syslog/datagramListener.ts';
import { SyslogStreamListener } from '../atna/syslog/streamListener.ts';
import { senderOf } from '../atna/iti20/sender.ts';
import type { CertificateInfo } from '../kernel/requestContext.ts';
import { openStore } from './openStore.ts';
import type { Store } from '../store/types.ts';
import type { Config } from '../kernel/config.ts';
import { HttpListener } from './http.ts';
import type { Logger } from '../kernel/logger.ts';
import { OutboxDispatcher } from './outboxDispatcher.ts';
import { tokenIssuerKey } from './secrets.ts';
import { tlsServerOptions } from '../kernel/tls.ts';
import { NodeDirectory } from '../consent/nodeDirectory.ts';
import { checkPlaintextListeners } from './plaintextListeners.ts';
import { connectionGates } from './connectionLimits.ts';
import { storageGuard } from './storageGuard.ts';
import { guardedStore, type WriteGuard } from '../store/guardedStore.ts';
import type { FreeSpaceProbe } from '../kernel/freeSpace.ts';
import { IntakeLimits } from '../atna/iti20/intakeLimits.ts';
import { SourceQuota } from '../atna/iti20/sourceQuota.ts';
import { facilityDomains } from '../consent/feedAuthorization.ts';
import { ConsentService } from '../consent/service.ts';
import { ConsentAdministration } from '../consent/administration.ts';
import { consentAdminRouter } from '../consent/adminRoutes.ts';
import { removeXdsLeftovers, xdsServices, type XdsServices } from '../xds/assemble.ts';
import { clinicalFeedTransactions } from '../ingest/assemble.ts';
import { xcaServices, type XcaServices } from '../xca/assemble.ts';
import { serverMetrics } from './metrics/assemble.ts';
import { metricsRouter } from './metrics/routes.ts';
import { replicaMetrics } from './metrics/replicaMetrics.ts';
import { Readiness } from './readiness.ts';
import { checkRegionalAuthority } from './exampleAuthority.ts';
import type { Registry } from 'prom-client';
import { consoleParts } from '../console/assemble.ts';
import { AuditRetentionJob } from '../audit/retention/retentionJob.ts';

export interface App {
  config: Config;
  store: Store;
  identity: IdentityService;
  audit: AuditService;
  tokenIssuer: TokenIssuer;
  iti10: OutboxDispatcher;
  /** The Audit Record Repository's ingest, and the forwarding of this server's audit messages. */
  atna: { ingest: AuditIngest; forward: OutboxDispatcher };
  xds: XdsServices;
  /** XCA gateways (issue 16): the community directory and the gateways' SOAP routes. */
  xca: XcaServices;
  /** Patient consent: the access decisions every read path asks, consent changes, declared disasters. */
  consent: ConsentService;
  ports: { mllp?: number; http?: number; syslogTls?: number; syslogTcp?: number; syslogUdp?: number };
  /** GET /health/ready: ready once started and every step in StartOptions.waitFor is done. */
  readiness: Readiness;
  /** The Prometheus metrics (GET /metrics). */
  metrics: Registry;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Steps the caller does after start before the server is ready for traffic (e.g. 'demo', the demo load). */
  waitFor?: readonly string[];
  /** Metrics of the process itself (CPU, memory, event loop, GC): for the server process (hie serve), not in-process test servers. */
  processMetrics?: boolean;
  /** How the data folder's free space is read (tests inject one); fs.statfs when absent. */
  freeSpaceProbe?: FreeSpaceProbe;
}

/**
 * The services without listeners: what the CLI's offline commands (pix review, token) need too. With a
 * write guard (the free-space guard), the services write through it; the audit trail and the delivery
 * queues (`ownStore`) do not, so that a refusal is still audited and a delivery still marked.
 */
export async function openServices(config: Config, log: Logger, guard?: WriteGuard) {
  const ownStore = await openStore(config, log);
  const store = guard ? guardedStore(ownStore, guard) : ownStore;
  const domains = new DomainDirectory(config.identity);
  await ownStore.write((tx) => domains.seed(tx));
  const identity = new IdentityService(config.identity, domains);
  // Issue 16: the pseudonym index of every pseudonym domain, completed for tokens not yet indexed.
  await ownStore.write((tx) => identity.indexPseudonyms(tx));
  const audit = new AuditService(ownStore, config.node, config.atna.repositories, individualNumberScreen(domains.individualNumber));
  audit.onUnrecorded = (m, e) => log.error('audit.unrecorded', { eventId: m.eventId.code, eventType: m.eventTypeCodes[0]?.code ?? '', outcome: m.eventOutcome, error: e.message });
  const nextControlId = controlIdGenerator();
  const notifier = new PixNotifier(config.pix.consumers, config.node, identity, nextControlId);
  const sender = new Iti10Sender(config.pix.consumers, audit);
  const iti10 = new OutboxDispatcher({ channel: ITI10_CHANNEL, store: ownStore, send: sender.send, retry: config.pix.retry, claimMs: config.store.postgres.outboxClaimMs, log });
  const consent = new ConsentService(config.consent);
  return { store, ownStore, domains, identity, audit, notifier, sender, iti10, nextControlId, consent };
}

/** The consent admin operations (admin API, desk CLI) over the services. */
export function consentAdministration(config: Config, s: Pick<Awaited<ReturnType<typeof openServices>>, 'store' | 'identity' | 'audit' | 'consent'>): ConsentAdministration {
  return new ConsentAdministration({ ...s, config: { consent: config.consent, domains: config.identity.domains } });
}

export async function startApp(config: Config, log: Logger, opts: StartOptions = {}): Promise<App> {
  const readiness = new Readiness(['start', ...(opts.waitFor ?? [])]);
  const metrics = serverMetrics(log, { processMetrics: opts.processMetrics });
  // The free-space guard (issue 15): below store.minFreeBytes new writes are refused, each protocol answering its own error.
  let auditOf: AuditService | undefined;
  const space = storageGuard(config, log, () => auditOf, opts.freeSpaceProbe);
  const s = await openServices(config, log, space);
  const { store, identity, audit, notifier, iti10, consent } = s;
  auditOf = audit;
  await space.start();
  const stops: (() => Promise<void>)[] = [async () => space.stop()];
  const ports: App['ports'] = {};
  const refused = auditRefusals(audit, log);
  const gate = connectionGates(audit, log);
  const nodes = new NodeDirectory(config);
  checkPlaintextListeners(config, log);
  checkRegionalAuthority(config, log);
  const ingest = new AuditIngest(s.ownStore, config.identity, log, { readerThreads: config.syslog.readerThreads, observe: metrics.observe });
  // Per-source quotas of the audit intake (syslog and FHIR), and nothing received while the space is low.
  const intakeQuota = new SourceQuota(config.atna.intakeQuota, {
    exceeded: (source, what, limit) => log.warn('atna.over-quota', { source, what, limit, windowMs: config.atna.intakeQuota.windowMs }),
    dropped: (source, count, bytes) => log.warn('atna.over-quota-dropped', { source, count, bytes }),
  });
  stops.push(async () => intakeQuota.flush());
  const intake = new IntakeLimits(ingest, intakeQuota, space, log);
  // Stopped last of all listeners: what they received is committed before the store closes.
  stops.push(() => ingest.close());
  const atnaSender = new SyslogSender(config.atna.repositories);
  const atnaForward = new OutboxDispatcher({
    channel: ATNA_CHANNEL,
    store: s.ownStore,
    send: atnaSender.send,
    retry: config.atna.retry,
    pollMs: config.atna.forwardPollMs,
    claimMs: config.store.postgres.outboxClaimMs,
    log,
  });
  // --- XDS.b Document Registry and Repository (ITI-18/41/42/43/57/62) ---
  const xds = xdsServices(config, { store, identity, audit, log, decisions: consent, observe: metrics.observe });
  metrics.watchStore({
    store,
    outboxes: { 'iti10-notifications': ITI10_CHANNEL, 'audit-forwarding': ATNA_CHANNEL },
    inMemory: { 'audit-intake': () => ingest.pending },
    databaseFile: path.join(config.dataDir, config.store.sqlite.file),
    databaseBytes: s.ownStore.databaseBytes && (() => s.ownStore.databaseBytes!()),
    blobDir: path.resolve(config.dataDir, config.xds.repository.blobDir),
    blobRefreshMs: 300_000,
  });
  replicaMetrics(metrics.registry, s.ownStore);
  stops.push(() => xds.close());
  // Temporary files a crash left in the spool and the blob store (issue 15), removed beside the start.
  const leftovers = removeXdsLeftovers(config).then(
    (removed) => removed > 0 && log.info('xds.leftovers-removed', { removed }),
    (e) => log.warn('xds.leftovers-failed', { error: e instanceof Error ? e.message : String(e) }),
  );
  stops.push(async () => void (await leftovers));
  // --- end XDS.b ---
  // --- XCA Responding and Initiating Gateways (ITI-38/39; ITI-18/43 from local consumers) ---
  const xca = xcaServices(config, { store, identity, audit, log, decisions: consent, repository: xds.repository, observe: metrics.observe });
  stops.push(() => xca.close());
  // --- end XCA ---
  try {
    const transactions: Hl7Transaction[] = [
      iti8Transaction({ store, identity, notifier, audit, facilities: facilityDomains(config.identity.domains), maxIdentifiers: config.pix.maxIdentifiers }),
      iti9Transaction({ store, identity, audit, decisions: consent }),
      ...iti21Transactions({ store, identity, audit, decisions: consent, config: config.pdq }),
      // SS-MIX2 clinical feed: clinical HL7 v2 messages shared as XDS documents
      ...clinicalFeedTransactions(config, { store, identity, audit, notifier, xds }),
    ];
    if (config.mllp.enabled) {
      const endpoint = hl7Endpoint({
        transactions,
        versions: config.hl7v2.versions,
        processingIds: config.hl7v2.processingIds,
        defaultCharset: config.hl7v2.defaultCharset,
        maxMessageBytes: config.mllp.maxMessageBytes,
        responder: { application: config.node.application, facility: config.node.facility, nextControlId: s.nextControlId },
        domains: s.domains,
        audit,
        log,
        contextOf: (peer) => nodes.contextOf('mllp', peer.address, peer.certificate),
        purposeOfUseField: config.access.hl7v2PurposeOfUse,
        observe: metrics.observe,
      });
      const handler: typeof endpoint = async (ev, peer) => {
        const out = await endpoint(ev, peer);
        if (notifier.enabled) iti10.kick();
        return out;
      };
      const mllp = new MllpServer(
        {
          host: config.mllp.host,
          port: config.mllp.port,
          maxMessageBytes: config.mllp.maxMessageBytes,
          idleTimeoutMs: config.mllp.idleTimeoutMs,
          frameTimeoutMs: config.mllp.frameTimeoutMs,
          gate: gate(config.mllp, () => `${config.mllp.tls ? 'mllp-tls' : 'mllp'}://${config.mllp.host}:${ports.mllp}`),
          tls: tlsServerOptions(config.mllp.tls),
          onError: (err, peer) => log.warn('mllp.connection-error', { peer: peer?.address, error: err.message }),
          onRefused: refused(() => `mllp-tls://${config.mllp.host}:${ports.mllp}`),
        },
        handler,
      );
      ports.mllp = await mllp.listen();
      stops.push(() => mllp.close());
      log.info('mllp.listening', { host: config.mllp.host, port: ports.mllp, tls: !!config.mllp.tls });
    }
    if (config.http.enabled) {
      const httpListener = new HttpListener(
        {
          host: config.http.host,
          port: config.http.port,
          tls: tlsServerOptions(config.http.tls),
          onTlsRefused: refused(() => `https://${config.http.host}:${ports.http}`),
          contextOf: (address, certificate) => nodes.contextOf('http', address, certificate),
          readiness: () => readiness.state,
          shutdownGraceMs: config.http.shutdownGraceMs,
          headersTimeoutMs: config.http.headersTimeoutMs,
          requestTimeoutMs: config.http.requestTimeoutMs,
          idleTimeoutMs: config.http.idleTimeoutMs,
          gate: gate(config.http, () => `${config.http.tls ? 'https' : 'http'}://${config.http.host}:${ports.http}`),
        },
        async () => ({ store: store.engine, iti10Pending: await store.read((tx) => tx.outbox.pendingCount(ITI10_CHANNEL)) }),
        log,
      );
      // One FHIR R4 schema (compiled once) for what ITI-20, ITI-65 and PIXm receive.
      const fhirSchema = new FhirSchemaValidator();
      // MHD (issue 18): ITI-66/67/68 as a face of the FHIR base; ITI-65 at POST /, which ATNA's router
      // shares with ITI-20 (it hands an MHD Bundle to provideBundle). The base observes every face.
      const mhd = config.mhd.enabled && config.xds.registry.enabled && config.xds.repository.enabled
        ? {
            store, identity, decisions: consent, audit, registry: xds.registry, repository: xds.repository, remoteRegistry: xds.remoteRegistry, log, schema: fhirSchema, individualNumber: s.domains.individualNumber,
            config: { affinityDomainOid: config.identity.regional.authority.oid, maxResults: config.xds.registry.maxResults, maxQueryValues: config.xds.registry.maxQueryValues, maxBundleBytes: config.mhd.maxBundleBytes },
          }
        : undefined;
      const provideBundle = mhd ? mhdProvideBundle(mhd) : undefined;
      // ATNA: ITI-81 and the FHIR form of ITI-20 under the FHIR base.
      const feed = new FhirAuditFeed(store, fhirSchema, s.domains);
      // The base observes ATNA's transactions too (atnaTransaction), as it does every face's.
      const atnaFhir = atnaFhirRouter({ retriever: new AuditEventRetriever(store), feed, audit, decisions: consent, config: config.atna, log, intakeQuota, individualNumber: s.domains.individualNumber, provideBundle });
      // Issue 18: one FHIR base for every face (MHD, ATNA, PIXm, PDQm), behind IUA when configured.
      const fhirFaces = [
        ...(mhd ? [mhdFace(mhd)] : []),
        { name: 'ATNA', router: atnaFhir, ...atnaCapability(), transactionOf: atnaTransaction },
        ...patientFaces({ config, store, identity, consent, audit, schema: fhirSchema, log }),
      ];
      httpListener.mount('/fhir', fhirSurface({ config, store, identity, consent, audit, schema: fhirSchema, log, faces: fhirFaces, observe: metrics.observe }));
      const reporter = new AccessReporter({
        store,
        identity,
        audit,
        decisions: consent,
        maxEvents: config.atna.reportMaxEvents,
        breakGlassPurposes: [...config.consent.emergencyPurposes, ...config.consent.disasterPurposes],
        names: DisplayNames.fromConfig(config),
        timeZone: config.atna.reportTimeZone,
      });
      httpListener.mount('/atna', atnaReportRouter({ reporter, log }));
      for (const r of xds.routes) httpListener.mount(r.path, r.router); // XDS.b SOAP endpoints
      for (const r of xca.routes) httpListener.mount(r.path, r.router); // XCA gateways' SOAP endpoints
      httpListener.mount('/admin', consentAdminRouter({ admin: consentAdministration(config, s), audit, log })); // patient consent, disasters
      // The web console (issue 19): operators and patients, server-rendered pages over the same services.
      if (config.console.enabled) httpListener.mount('/console', consoleParts({ config, store, identity, audit, decisions: consent, repository: xds.repository, consentAdmin: consentAdministration(config, s), notifier, kickIti10: () => iti10.kick(), log, metrics: metrics.registry, peerHealth: () => xca.peerHealth(), peerDocuments: xca.peerDocuments }).router);
      httpListener.mount('/metrics', metricsRouter({ registry: metrics.registry, audit, log })); // Prometheus, for admin and auditor nodes
      ports.http = await httpListener.listen();
      stops.push(() => httpListener.close());
      log.info('http.listening', { host: config.http.host, port: ports.http });
    }
    // --- ATNA (issue 4): syslog listeners of the Audit Record Repository (ITI-20), audit forwarding ---
    const sy = config.syslog;
    const stream = { host: sy.host, maxMessageBytes: sy.maxMessageBytes, idleTimeoutMs: sy.idleTimeoutMs, frameTimeoutMs: sy.frameTimeoutMs };
    // Received audit messages are kept with the node they came from, marked when their source is not its (issue 14).
    const syslogSender = (transport: 'syslog-tls' | 'syslog-tcp' | 'syslog-udp') => (address: string, certificate?: CertificateInfo) => senderOf(nodes.contextOf(transport, address, certificate));
    const onSyslogError = (err: Error, peer: { address: string }) => log.warn('syslog.connection-error', { peer: peer.address, error: err.message });
    if (sy.tls) {
      const l = new SyslogStreamListener(
        { ...stream, port: sy.tls.port, gate: gate(sy, () => `syslog-tls://${sy.host}:${ports.syslogTls}`), tls: tlsServerOptions(sy.tls), onRefused: refused(() => `syslog-tls://${sy.host}:${ports.syslogTls}`), onError: onSyslogError, senderOf: syslogSender('syslog-tls') },
        intake,
      );
      ports.syslogTls = await l.listen();
      stops.push(() => l.close());
    }
    if (sy.tcp) {
      const l = new SyslogStreamListener({ ...stream, port: sy.tcp.port, gate: gate(sy, () => `syslog-tcp://${sy.host}:${ports.syslogTcp}`), onError: onSyslogError, senderOf: syslogSender('syslog-tcp') }, intake);
      ports.syslogTcp = await l.listen();
      stops.push(() => l.close());
    }
    if (sy.udp) {
      const l = new SyslogDatagramListener({ host: sy.host, port: sy.udp.port, maxMessageBytes: sy.maxMessageBytes, senderOf: syslogSender('syslog-udp') }, intake);
      ports.syslogUdp = await l.listen();
      stops.push(() => l.close());
    }
    if (ports.syslogTls ?? ports.syslogTcp ?? ports.syslogUdp) {
      log.info('syslog.listening', { host: sy.host, tls: ports.syslogTls, tcp: ports.syslogTcp, udp: ports.syslogUdp });
    }
    audit.onQueued = () => atnaForward.kick();
    atnaForward.start();
    stops.push(async () => {
      await atnaForward.stop();
      await atnaSender.close();
    });
    // Issue 17: the audit trail by month of receipt (partitions made ahead, months past atna.retention archived, then removed).
    if (s.ownStore.auditMonths) {
      const r = config.atna.retention;
      const retention = new AuditRetentionJob(s.ownStore.auditMonths, { ...r, exportDir: path.resolve(config.dataDir, r.exportDir) }, log);
      retention.start();
      stops.push(() => retention.stop());
    }
    // --- end ATNA ---
    iti10.start();
    stops.push(async () => {
      await iti10.stop();
      await s.sender.close();
    });
    await audit.record(applicationActivity(audit, 'start'));
    readiness.done('start');
  } catch (e) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await store.close();
    throw e;
  }

  return {
    config,
    store,
    identity,
    audit,
    tokenIssuer: new TokenIssuer(tokenIssuerKey(config)),
    iti10,
    atna: { ingest, forward: atnaForward },
    xds,
    xca,
    consent,
    ports,
    readiness,
    metrics: metrics.registry,
    async stop() {
      readiness.stop();
      for (const stop of stops.reverse()) await stop();
      await audit.record(applicationActivity(audit, 'stop'));
      await store.close();
      log.info('stopped');
    },
  };
}
