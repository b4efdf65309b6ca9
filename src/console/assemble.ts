/** The web console assembled from the server's services (server/app.ts mounts it under /console). */
import type { Router } from 'express';
import type { AuditService } from '../audit/auditService.ts';
import type { AccessDecisions } from '../consent/decision.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Store, WriteTx } from '../store/types.ts';
import { Accounts } from './auth/accounts.ts';
import { Lockout } from './auth/lockout.ts';
import { Sessions } from './auth/sessions.ts';
import { linksRouter } from './links/routes.ts';
import { documentsRouter } from './documents/routes.ts';
import { consentRouter } from './consent/routes.ts';
import type { ConsentAdministration } from '../consent/administration.ts';
import type { RepositoryService } from '../xds/repository/service.ts';
import { patientsRouter } from './patients/routes.ts';
import { mergeRouter } from './patients/merge.ts';
import { unmergeRouter } from './patients/unmerge.ts';
import { consoleRouter, type ConsoleArea } from './router.ts';
import { accessReportRouter, auditRouter } from './audit/routes.ts';
import { AuditEventRetriever } from '../atna/iti81/retrieve.ts';
import { AccessReporter } from '../atna/report/accessReport.ts';
import { DisplayNames } from '../atna/report/displayNames.ts';
import { PatientAccounts } from './me/accounts.ts';
import { patientAuthRouter } from './me/auth.ts';
import { oidcRouter } from './auth/oidc.ts';
import express from 'express';
import { meRouter } from './me/routes.ts';
import { operationsRouter } from './operations/routes.ts';
import { IngestRunLog } from '../ingest/runLog.ts';
import type { Registry } from 'prom-client';
import type { PeerHealth } from '../xca/peers/peerGateway.ts';
import type { PeerDocuments } from '../xca/peerDocuments.ts';

export interface ConsoleDeps {
  config: Config;
  store: Store;
  identity: IdentityService;
  audit: AuditService;
  decisions: AccessDecisions;
  repository: RepositoryService;
  consentAdmin: ConsentAdministration;
  notifier: { enqueue(tx: WriteTx, personId: number): Promise<void> };
  kickIti10(): void;
  /** The server's metrics (counters, queue depths) for the operations page. */
  metrics?: Registry;
  /** The XCA peers' health (xca/assemble.ts). */
  peerHealth?: () => PeerHealth[];
  /** A patient's documents in peer communities, when XCA peers are configured (xca/assemble.ts). */
  peerDocuments?: PeerDocuments;
  log: Logger;
  /** Tests: the clock of sessions and lockout. */
  clock?: () => number;
}

export interface ConsoleParts {
  router: Router;
  sessions: Sessions;
  lockout: Lockout;
}

export function consoleParts(deps: ConsoleDeps): ConsoleParts {
  const c = deps.config.console;
  const sessions = new Sessions({ idleMs: c.sessionIdleMs, maxMs: c.sessionMaxMs }, deps.clock);
  const lockout = new Lockout({ maxFailures: c.maxFailures, lockoutMs: c.lockoutMs }, deps.clock);
  const reads = { store: deps.store, identity: deps.identity, decisions: deps.decisions, log: deps.log };
  const areas: ConsoleArea[] = [
    { path: '/patients', role: 'viewer', router: patientsRouter({ ...reads, audit: deps.audit, config: deps.config }) },
    { path: '/patients', role: 'viewer', router: documentsRouter({ ...reads, audit: deps.audit, repository: deps.repository, config: deps.config, peerDocuments: deps.peerDocuments }) },
    { path: '/patients', role: 'viewer', router: consentRouter({ ...reads, audit: deps.audit, admin: deps.consentAdmin, config: deps.config }) },
    { path: '/patients', role: 'operator', router: mergeRouter({ store: deps.store, identity: deps.identity, audit: deps.audit, notifier: deps.notifier, kick: deps.kickIti10 }) },
    { path: '/patients', role: 'operator', router: unmergeRouter({ store: deps.store, identity: deps.identity, audit: deps.audit, notifier: deps.notifier, kick: deps.kickIti10 }) },
    {
      path: '/links',
      role: 'operator',
      router: linksRouter({ ...reads, audit: deps.audit, notifier: deps.notifier, kick: deps.kickIti10, config: deps.config }),
    },
  ];
  const reporter = new AccessReporter({
    store: deps.store,
    identity: deps.identity,
    audit: deps.audit,
    decisions: deps.decisions,
    maxEvents: deps.config.atna.reportMaxEvents,
    breakGlassPurposes: [...deps.config.consent.emergencyPurposes, ...deps.config.consent.disasterPurposes],
    names: DisplayNames.fromConfig(deps.config),
    timeZone: deps.config.atna.reportTimeZone,
  });
  const auditDeps = { audit: deps.audit, retriever: new AuditEventRetriever(deps.store), reporter, individualNumber: deps.identity.domains.individualNumber, timeZone: deps.config.atna.reportTimeZone };
  areas.push({ path: '/audit', role: 'admin', router: auditRouter(auditDeps) }, { path: '/audit', role: 'admin', router: accessReportRouter(auditDeps) });
  areas.push({ path: '/operations', role: 'admin', router: operationsRouter({ audit: deps.audit, retriever: auditDeps.retriever, metrics: deps.metrics, peerHealth: deps.peerHealth, ingestRuns: () => new IngestRunLog(deps.config.dataDir).recent(), config: deps.config }) });
  areas.push({ path: '/me', role: 'patient', router: meRouter({ ...reads, audit: deps.audit, repository: deps.repository, admin: deps.consentAdmin, reporter, config: deps.config, peerDocuments: deps.peerDocuments }) });
  const patientAccounts = PatientAccounts.of(deps.config.dataDir, c.patientAccountsFile);
  const secure = !!deps.config.http.tls;
  // Sign-ins outside the operators' form: patients', and the hospital's OpenID Connect provider when configured.
  const signIns = express.Router();
  signIns.use(patientAuthRouter({ accounts: patientAccounts, sessions, lockout, audit: deps.audit, secure }));
  if (c.oidc) signIns.use(oidcRouter({ cfg: c.oidc, sessions, audit: deps.audit, log: deps.log, secure }));
  const router = consoleRouter({
    accounts: new Accounts(c, deps.config.dataDir),
    sessions,
    lockout,
    audit: deps.audit,
    log: deps.log,
    secure,
    areas,
    oidc: !!c.oidc,
    patientAuth: signIns,
  });
  return { router, sessions, lockout };
}
