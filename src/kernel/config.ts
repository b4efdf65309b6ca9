/** The validated, frozen configuration (see schema.ts for defaults and README.md for meanings). */
export interface AuthorityConfig {
  readonly namespace: string;
  readonly oid: string;
}

export interface TlsConfig {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
  /** PEM file of certificate revocation lists. */
  readonly crl?: string;
  readonly requireClientCert: boolean;
}

/** store.postgres: the database by URL or by parts (validated: not both). */
export interface PostgresConfig {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** How long a process holds the outbox messages it claimed (several processes on one database). */
  readonly outboxClaimMs: number;
  /** Read replicas (validated like the primary: url or parts). */
  readonly replicas: readonly PostgresReplicaConfig[];
  readonly replicaMaxLagMs: number;
  readonly replicaCheckMs: number;
  /** The transactions whose reads a replica may answer, until the request writes. */
  readonly replicaTransactions: readonly string[];
  readonly tls?: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly servername?: string;
    readonly rejectUnauthorized: boolean;
  };
}

/** store.postgres.replicas[]: a streaming standby of the database. */
export interface PostgresReplicaConfig {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  readonly poolSize: number;
}

export interface Config {
  readonly dataDir: string;
  readonly log: { readonly level: 'debug' | 'info' | 'warn' | 'error' | 'silent' };
  readonly node: {
    readonly application: string;
    readonly facility: string;
    readonly auditSourceId: string;
    readonly auditEnterpriseSiteId: string;
  };
  readonly mllp: {
    readonly enabled: boolean;
    readonly host: string;
    readonly port: number;
    readonly maxMessageBytes: number;
    readonly idleTimeoutMs: number;
    readonly frameTimeoutMs: number;
    readonly maxConnections: number;
    readonly maxConnectionsPerAddress: number;
    readonly tls?: TlsConfig;
  };
  readonly http: {
    readonly enabled: boolean;
    readonly host: string;
    readonly port: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly idleTimeoutMs: number;
    readonly maxConnections: number;
    readonly maxConnectionsPerAddress: number;
    readonly tls?: TlsConfig;
    readonly shutdownGraceMs: number;
  };
  readonly store: {
    readonly engine: 'sqlite' | 'postgres';
    readonly sqlite: { readonly file: string; readonly synchronous: 'FULL' | 'NORMAL' };
    readonly postgres: PostgresConfig;
    /** Below this free space in dataDir new writes are refused (0: off). */
    readonly minFreeBytes: number;
    readonly freeSpaceCheckMs: number;
  };
  readonly hl7v2: {
    readonly defaultCharset: 'ascii' | 'utf-8' | 'iso-2022-jp' | 'latin1';
    readonly versions: readonly string[];
    readonly processingIds: readonly string[];
  };
  readonly identity: {
    readonly token: { readonly authority: AuthorityConfig; readonly issuerKey?: string; readonly disclose: boolean };
    readonly regional: { readonly authority: AuthorityConfig; readonly prefix: string };
    readonly individualNumber: {
      readonly namespace: string;
      readonly oid: string;
      readonly authorities: readonly string[];
      readonly typeCodes: readonly string[];
      readonly freeTextScreening: { readonly enabled: boolean };
    };
    readonly domains: readonly (AuthorityConfig & { readonly sourceApplication?: string; readonly sourceFacility?: string; readonly displayName?: string })[];
    readonly unknownDomains: 'register' | 'reject';
    readonly pseudonymDomains: readonly (AuthorityConfig & { readonly key: string })[];
    readonly matching: { readonly proposeThreshold: number; readonly maxCandidates: number };
  };
  readonly pix: {
    readonly consumers: readonly PixConsumerConfig[];
    readonly retry: { readonly initialMs: number; readonly maxMs: number };
    /** Repetitions of PID-3 (and MRG-1) an ITI-8 feed may carry. */
    readonly maxIdentifiers: number;
  };
  readonly pdq: {
    readonly maxMatches: number;
    readonly continuationTtlMs: number;
    readonly maxOpenContinuations: number;
    readonly maxOpenContinuationsPerRequester: number;
  };
  readonly syslog: SyslogConfig;
  readonly atna: AtnaConfig;
  readonly xds: XdsConfig;
  readonly xca: XcaConfig;
  /** MHD (issue 18): the FHIR face of the XDS registry and repository. */
  readonly mhd: { readonly enabled: boolean; readonly maxBundleBytes: number };
  readonly ingest: IngestConfig;
  readonly nodes: readonly NodeConfig[];
  readonly access: AccessConfig;
  readonly consent: ConsentConfig;
  /** The web console (issue 19). */
  readonly console: ConsoleConfig;
  readonly xua: XuaConfig;
  /** IUA (issue 18): bearer tokens on the FHIR base; off while no issuer is configured. */
  readonly iua: IuaConfig;
}

export type NodeRoleName = 'source' | 'consumer' | 'auditor' | 'admin' | 'gateway';

/** A node allowed to talk to this server, named by its TLS client certificate (or, on a plaintext listener, its addresses). */
export interface NodeConfig {
  readonly name: string;
  readonly subject?: string;
  readonly fingerprint?: string;
  readonly addresses?: readonly string[];
  readonly facility?: string;
  readonly facilities?: readonly string[];
  readonly sourceIds?: readonly string[];
  readonly auditSourceIds?: readonly string[];
  readonly roles: readonly NodeRoleName[];
  readonly breakGlass: readonly string[];
  readonly requireAssertion: boolean;
  readonly homeCommunityId?: string;
  /** The node as a patient knows it (the patient access report). */
  readonly displayName?: string;
}

export interface AccessConfig {
  readonly local: {
    readonly enabled: boolean;
    readonly name: string;
    readonly facilities: readonly string[];
    readonly roles: readonly NodeRoleName[];
    readonly breakGlass: readonly string[];
  };
  readonly allowPlaintextNetwork: boolean;
  readonly hl7v2PurposeOfUse?: string;
}

export interface ConsentConfig {
  readonly enabled: boolean;
  readonly participationDefault: 'opt-in' | 'opt-out';
  readonly emergencyPurposes: readonly string[];
  readonly disasterPurposes: readonly string[];
  readonly bppcPolicies: readonly BppcPolicyConfig[];
}

/** A consent policy a BPPC acknowledgement names in eventCodeList, and the consent it stands for. */
export interface BppcPolicyConfig {
  readonly code: string;
  readonly codingScheme: string;
  readonly participation?: 'not-enrolled' | 'opted-in' | 'opted-out';
  /** Namespaces or OIDs of identity.domains entries. */
  readonly facilities?: readonly string[];
  readonly peerRegions?: readonly string[];
  readonly withhold?: {
    readonly classCodes?: readonly { readonly code: string; readonly codingScheme: string }[];
    readonly typeCodes?: readonly { readonly code: string; readonly codingScheme: string }[];
    readonly confidentialityCodes?: readonly { readonly code: string; readonly codingScheme: string }[];
    readonly practiceSettingCodes?: readonly { readonly code: string; readonly codingScheme: string }[];
    readonly facilities?: readonly string[];
  };
}

export interface XuaConfig {
  readonly identityProviders: readonly { readonly name: string; readonly cert: string; readonly issuer?: string }[];
  readonly audiences: readonly string[];
  readonly clockSkewSeconds: number;
}

/** An authorization server whose JWT access tokens the FHIR base accepts (IUA ITI-72, JWT token option). */
export interface IuaIssuerConfig {
  /** The token's `iss`. */
  readonly issuer: string;
  /** A JWKS file (RFC 7517 5) of the issuer's public keys. */
  readonly jwksFile?: string;
  /** Or the public keys inline (JWKs). */
  readonly keys?: readonly Record<string, unknown>[];
  /** Accepted `aud` values: one must be in the token. */
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
}

export interface IuaConfig {
  readonly issuers: readonly IuaIssuerConfig[];
  readonly clockSkewSeconds: number;
  /** Scopes every token must grant (space-separated `scope` claim, RFC 8693 4.2). */
  readonly requiredScopes: readonly string[];
  /** The realm the WWW-Authenticate challenge names (RFC 6750 3). */
  readonly realm: string;
  /** A transaction needs the scope named after it (ITI-78, ITI-83, ITI-81, ITI-20). */
  readonly transactionScopes: boolean;
}

export interface IngestConfig {
  readonly ssmix2: {
    readonly deleted: 'deprecate' | 'remove';
    readonly uniqueIdRoot: string;
    readonly healthcareFacilityTypeCode: { readonly code: string; readonly codingScheme: string; readonly displayName: string };
    readonly concurrency: number;
    /** The adapter's TLS files for `--to mllps://` and `https://` targets. */
    readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  };
  readonly clinicalFeed: { readonly enabled: boolean };
}

/** Syslog listeners of the Audit Record Repository (ATNA ITI-20): each is on when its port is given. */
export interface SyslogConfig {
  readonly host: string;
  readonly maxMessageBytes: number;
  readonly idleTimeoutMs: number;
  readonly frameTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly readerThreads: number;
  readonly tls?: TlsConfig & { readonly port: number };
  readonly udp?: { readonly port: number };
  readonly tcp?: { readonly port: number };
}

export interface AuditRepositoryConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly transport: 'tls' | 'tcp' | 'udp';
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly servername?: string };
}

export interface AtnaConfig {
  readonly repositories: readonly AuditRepositoryConfig[];
  readonly retry: { readonly initialMs: number; readonly maxMs: number };
  readonly forwardPollMs: number;
  readonly pageSize: number;
  readonly maxPageSize: number;
  readonly reportMaxEvents: number;
  /** What one source may hand the Audit Record Repository per window (syslog and FHIR together). */
  readonly intakeQuota: { readonly messages: number; readonly bytes: number; readonly windowMs: number };
  /** IANA time zone of the times in the patient access report. */
  readonly reportTimeZone: string;
  /** The audit trail by month of receipt: months kept (0: all), archive folder (relative to dataDir), check interval, partitions ahead. */
  readonly retention: { readonly months: number; readonly exportDir: string; readonly checkIntervalMs: number; readonly monthsAhead: number };
}

export interface XdsConfig {
  readonly registry: { readonly enabled: boolean; readonly path: string; readonly saveExtraMetadata: boolean; readonly maxResults: number; readonly maxQueryValues: number };
  readonly repository: {
    readonly enabled: boolean;
    readonly path: string;
    readonly uniqueId: string;
    readonly blobDir: string;
    readonly registryUrl?: string;
    readonly registryTimeoutMs: number;
    readonly registryTls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  };
  readonly limits: {
    readonly maxXmlBytes: number;
    readonly maxXmlDepth: number;
    readonly maxRequestBytes: number;
    readonly spoolThresholdBytes: number;
    readonly memoryPerRequestBytes: number;
    readonly maxParts: number;
  };
  readonly decodeThreads: number;
}

/** XCA (issue 16): this region's homeCommunityId, its gateways, and the community directory. */
export interface XcaConfig {
  readonly homeCommunityId?: string;
  readonly respondingGateway: { readonly enabled: boolean; readonly path: string };
  readonly initiatingGateway: {
    readonly enabled: boolean;
    readonly path: string;
    readonly failuresBeforeBackoff: number;
    readonly backoffMs: number;
    readonly maxResponseBytes: number;
  };
  readonly communities: readonly CommunityConfig[];
}

/** A peer region of the community directory. */
export interface CommunityConfig {
  readonly homeCommunityId: string;
  readonly name: string;
  readonly queryUrl: string;
  readonly retrieveUrl: string;
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  readonly identity: { readonly mode: 'token' | 'pseudonym'; readonly pseudonymDomain?: string };
  readonly timeoutMs: number;
  /** Send the consumer's X-User Assertion to this peer in ITI-38/ITI-39 (the peer's XUA must accept its issuer and audience). */
  readonly forwardAssertion: boolean;
}

export interface PixConsumerConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly application: string;
  readonly facility: string;
  readonly domains: readonly string[];
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
}

/** The web console (issue 19): local accounts, sessions and lockout. */
export interface ConsoleConfig {
  readonly enabled: boolean;
  readonly sessionIdleMs: number;
  readonly sessionMaxMs: number;
  readonly maxFailures: number;
  readonly lockoutMs: number;
  readonly usersFile: string;
  readonly users: readonly ConsoleUserConfig[];
  readonly patientAccountsFile: string;
  readonly patientCodeTtlMs: number;
  readonly oidc?: ConsoleOidcConfig;
}

export type ConsoleRole = 'viewer' | 'operator' | 'admin';

/** Operators' sign-in through an OpenID Connect provider. */
export interface ConsoleOidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly redirectUri: string;
  readonly scopes: string;
  readonly roleClaim: string;
  readonly nameClaim: string;
  readonly roles: { readonly viewer: readonly string[]; readonly operator: readonly string[]; readonly admin: readonly string[] };
}

export interface ConsoleUserConfig {
  readonly name: string;
  readonly displayName?: string;
  readonly role: ConsoleRole;
  /** scrypt$N$r$p$salt$hash (console/auth/passwords.ts). */
  readonly passwordHash: string;
}
