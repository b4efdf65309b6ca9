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
import { SqliteStore } from '../store/sqlite/sqliteStore.ts';
import type { Store } from '../store/types.ts';
import type { Config } from '../kernel/config.ts';
import { HttpListener } from './http.ts';
import type { Logger } from '../kernel/logger.ts';
import { OutboxDispatcher } from './outboxDispatcher.ts';
import { tokenIssuerKey } from './secrets.ts';
import { tlsServerOptions } from '../kernel/tls.ts';
import { NodeDirectory } from '../consent/nodeDirectory.ts';
import { checkPlaintextListeners } from './plaintextListeners.ts';
import { facilityDomains } from '../consent/feedAuthorization.ts';
import { ConsentService } from '../consent/service.ts';
import { ConsentAdministration } from '../consent/administration.ts';
import { consentAdminRouter } from '../consent/adminRoutes.ts';
import { xdsServices, type XdsServices } from '../xds/assemble.ts';
import { clinicalFeedTransactions } from '../ingest/assemble.ts';

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
  /** Patient consent: the access decisions every read path asks, consent changes, declared disasters. */
  consent: ConsentService;
  ports: { mllp?: number; http?: number; syslogTls?: number; syslogTcp?: number; syslogUdp?: number };
  stop(): Promise<void>;
}

export function openStore(config: Config): Store {
  return new SqliteStore({ path: path.join(config.dataDir, config.store.sqlite.file), synchronous: config.store.sqlite.synchronous });
}

/** The services without listeners: what the CLI's offline commands (pix review, token) need too. */
export async function openServices(config: Config, log: Logger) {
  const store = openStore(config);
  const domains = new DomainDirectory(config.identity);
  await store.write((tx) => domains.seed(tx));
  const identity = new IdentityService(config.identity, domains);
  const audit = new AuditService(store, config.node, config.atna.repositories);
  const nextControlId = controlIdGenerator();
  const notifier = new PixNotifier(config.pix.consumers, config.node, identity, nextControlId);
  const sender = new Iti10Sender(config.pix.consumers, audit);
  const iti10 = new OutboxDispatcher({ channel: ITI10_CHANNEL, store, send: sender.send, retry: config.pix.retry, log });
  const consent = new ConsentService(config.consent);
  return { store, domains, identity, audit, notifier, sender, iti10, nextControlId, consent };
}

/** The consent admin operations (admin API, desk CLI) over the services. */
export function consentAdministration(config: Config, s: Pick<Awaited<ReturnType<typeof openServices>>, 'store' | 'identity' | 'audit' | 'consent'>): ConsentAdministration {
  return new ConsentAdministration({ ...s, config: { consent: config.consent, domains: config.identity.domains } });
}

export async function startApp(config: Config, log: Logger): Promise<App> {
  const s = await openServices(config, log);
  const { store, identity, audit, notifier, iti10, consent } = s;
  const stops: (() => Promise<void>)[] = [];
  const ports: App['ports'] = {};
  const refused = auditRefusals(audit, log);
  const nodes = new NodeDirectory(config);
  checkPlaintextListeners(config, log);
  const ingest = new AuditIngest(store, config.identity, log, { readerThreads: config.syslog.readerThreads });
  // Stopped last of all listeners: what they received is committed before the store closes.
  stops.push(() => ingest.close());
  const atnaSender = new SyslogSender(config.atna.repositories);
  const atnaForward = new OutboxDispatcher({
    channel: ATNA_CHANNEL,
    store,
    send: atnaSender.send,
    retry: config.atna.retry,
    pollMs: config.atna.forwardPollMs,
    log,
  });
  // --- XDS.b Document Registry and Repository (ITI-18/41/42/43/57/62) ---
  const xds = xdsServices(config, { store, identity, audit, log, decisions: consent });
  stops.push(() => xds.close());
  // --- end XDS.b ---
  try {
    const transactions: Hl7Transaction[] = [
      iti8Transaction({ store, identity, notifier, audit, facilities: facilityDomains(config.identity.domains) }),
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
        },
        async () => ({ store: store.engine, iti10Pending: await store.read((tx) => tx.outbox.pendingCount(ITI10_CHANNEL)) }),
        log,
      );
      // ATNA: ITI-81 and the FHIR form of ITI-20 under the FHIR base.
      const feed = new FhirAuditFeed(store, new FhirSchemaValidator(), s.domains);
      httpListener.mount('/fhir', atnaFhirRouter({ retriever: new AuditEventRetriever(store), feed, audit, decisions: consent, config: config.atna, log }));
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
      httpListener.mount('/admin', consentAdminRouter({ admin: consentAdministration(config, s), audit, log })); // patient consent, disasters
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
        { ...stream, port: sy.tls.port, tls: tlsServerOptions(sy.tls), onRefused: refused(() => `syslog-tls://${sy.host}:${ports.syslogTls}`), onError: onSyslogError, senderOf: syslogSender('syslog-tls') },
        ingest,
      );
      ports.syslogTls = await l.listen();
      stops.push(() => l.close());
    }
    if (sy.tcp) {
      const l = new SyslogStreamListener({ ...stream, port: sy.tcp.port, onError: onSyslogError, senderOf: syslogSender('syslog-tcp') }, ingest);
      ports.syslogTcp = await l.listen();
      stops.push(() => l.close());
    }
    if (sy.udp) {
      const l = new SyslogDatagramListener({ host: sy.host, port: sy.udp.port, maxMessageBytes: sy.maxMessageBytes, senderOf: syslogSender('syslog-udp') }, ingest);
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
    // --- end ATNA ---
    iti10.start();
    stops.push(async () => {
      await iti10.stop();
      await s.sender.close();
    });
    await audit.record(applicationActivity(audit, 'start'));
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
    consent,
    ports,
    async stop() {
      for (const stop of stops.reverse()) await stop();
      await audit.record(applicationActivity(audit, 'stop'));
      await store.close();
      log.info('stopped');
    },
  };
}
