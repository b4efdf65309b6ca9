/**
 * The configuration schema: one file plus environment overrides, validated at start with ajv
 * (defaults filled in, unknown keys refused), then frozen. README.md documents every key.
 */
const authority = {
  type: 'object',
  additionalProperties: false,
  required: ['namespace', 'oid'],
  properties: {
    namespace: { type: 'string' },
    oid: { type: 'string', pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$' },
  },
} as const;

const tlsOptions = {
  type: 'object',
  additionalProperties: false,
  required: ['cert', 'key'],
  properties: {
    cert: { type: 'string', description: 'PEM file of this node certificate' },
    key: { type: 'string', description: 'PEM file of its private key' },
    ca: { type: 'string', description: 'PEM file of the CA that signs peer certificates' },
    crl: { type: 'string', description: 'PEM file of certificate revocation lists: a revoked client certificate is refused and audited' },
    requireClientCert: { type: 'boolean', default: true },
  },
} as const;

const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;

const connectionCaps = {
  maxConnections: { type: 'integer', minimum: 1, default: 512, description: 'connections at once on the listener; more are closed as they arrive' },
  maxConnectionsPerAddress: { type: 'integer', minimum: 1, default: 64, description: 'connections at once from one address' },
} as const;

const retryBackoff = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    initialMs: { type: 'integer', minimum: 10, default: 1000 },
    maxMs: { type: 'integer', minimum: 10, default: 300000 },
  },
} as const;

// --- ATNA (issue 4): syslog listeners of the Audit Record Repository, audit forwarding, ITI-81 ---
const syslogSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    host: { type: 'string', default: '127.0.0.1' },
    maxMessageBytes: { type: 'integer', minimum: 1024, default: 262144, description: 'larger messages are kept cut, with the error' },
    idleTimeoutMs: { type: 'integer', minimum: 1000, default: 600000, description: 'an idle stream connection is closed' },
    frameTimeoutMs: { type: 'integer', minimum: 100, default: 30000, description: 'a frame must end within this of its first byte, else the connection is closed, the partial frame kept' },
    ...connectionCaps,
    readerThreads: { type: 'integer', minimum: 0, maximum: 64, default: 1, description: 'threads reading and validating received messages (0: the main thread)' },
    tls: {
      ...tlsOptions,
      required: ['port', 'cert', 'key'],
      properties: { ...tlsOptions.properties, port: { ...port, description: 'RFC 5425 syslog over TLS (IANA 6514)' } },
    },
    udp: { type: 'object', additionalProperties: false, required: ['port'], properties: { port: { ...port, description: 'RFC 5426 syslog over UDP' } } },
    tcp: { type: 'object', additionalProperties: false, required: ['port'], properties: { port: { ...port, description: 'plain TCP, octet-counted, for local testing' } } },
  },
} as const;

const atnaSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    repositories: {
      type: 'array',
      default: [],
      description: 'external Audit Record Repositories this server forwards its own audit messages to',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'host', 'port'],
        properties: {
          name: { type: 'string', minLength: 1 },
          host: { type: 'string' },
          port,
          transport: { enum: ['tls', 'tcp', 'udp'], default: 'tls' },
          tls: {
            type: 'object',
            additionalProperties: false,
            properties: { ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, servername: { type: 'string' } },
          },
        },
      },
    },
    retry: retryBackoff,
    forwardPollMs: { type: 'integer', minimum: 10, default: 500, description: 'how often the forwarding queue is looked at' },
    pageSize: { type: 'integer', minimum: 1, default: 100, description: 'ITI-81 Bundle page size without _count' },
    maxPageSize: { type: 'integer', minimum: 1, default: 1000 },
    reportMaxEvents: { type: 'integer', minimum: 1, default: 10000, description: 'most events one patient access report lists' },
    intakeQuota: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'what one source (peer address) may hand the Audit Record Repository per window, over syslog and FHIR together; more is dropped (syslog) or answered 429 (FHIR), not stored',
      properties: {
        messages: { type: 'integer', minimum: 1, default: 12000 },
        bytes: { type: 'integer', minimum: 1024, default: 134217728 },
        windowMs: { type: 'integer', minimum: 100, default: 60000 },
      },
    },
    reportTimeZone: { type: 'string', format: 'iana-time-zone', default: 'Asia/Tokyo', description: 'IANA time zone the patient access report shows times in' },
    retention: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'the audit trail by month of receipt (engine postgres: one partition a month, docs/postgres.md)',
      properties: {
        months: {
          type: 'integer',
          minimum: 0,
          default: 0,
          description: 'months kept before the current one; older months are archived to exportDir and then removed (0: keep everything; needs engine postgres)',
        },
        exportDir: { type: 'string', minLength: 1, default: 'audit-archive', description: 'where removed months are archived (audit-YYYY-MM.ndjson.gz and its .sha256), relative to dataDir; shared by every process on one database' },
        checkIntervalMs: { type: 'integer', minimum: 1000, default: 3600000, description: 'how often the months are looked at (once across the processes on one database)' },
        monthsAhead: { type: 'integer', minimum: 1, maximum: 24, default: 3, description: 'months whose partitions are made before they begin' },
      },
    },
  },
} as const;
// --- end ATNA ---

// --- Web console (issue 19): operators' accounts, sessions, lockout ---
const consoleSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: true, description: 'serve the web console under /console' },
    sessionIdleMs: { type: 'integer', minimum: 1000, default: 1800000, description: 'a session unused this long expires' },
    sessionMaxMs: { type: 'integer', minimum: 1000, default: 43200000, description: 'a session expires this long after sign-in, used or not' },
    maxFailures: { type: 'integer', minimum: 1, default: 5, description: 'wrong passwords in a row after which an account is locked' },
    lockoutMs: { type: 'integer', minimum: 1000, default: 900000, description: 'how long a locked account stays locked' },
    usersFile: { type: 'string', default: 'console-users.json', description: 'accounts added by hie console-user add, relative to dataDir' },
    patientAccountsFile: { type: 'string', default: 'patient-accounts.json', description: "patients' sign-in (one-time codes from hie consent code, their passwords), relative to dataDir" },
    patientCodeTtlMs: { type: 'integer', minimum: 60000, default: 1209600000, description: 'how long a one-time code handed over at the desk stays valid' },
    oidc: {
      type: 'object',
      additionalProperties: false,
      required: ['issuer', 'clientId', 'redirectUri'],
      description: "operators' sign-in through the hospital's OpenID Connect provider (authorization code flow with PKCE)",
      properties: {
        issuer: { type: 'string', pattern: '^https?://', description: 'the provider\'s issuer URL (https; http only on loopback)' },
        clientId: { type: 'string', minLength: 1 },
        clientSecret: { type: 'string', minLength: 1 },
        redirectUri: { type: 'string', pattern: '^https?://.*/console/oidc/callback$', description: 'this console\'s callback as the provider knows it' },
        scopes: { type: 'string', default: 'openid profile' },
        roleClaim: { type: 'string', default: 'roles', description: 'the ID token claim whose values give the console role' },
        nameClaim: { type: 'string', default: 'name' },
        roles: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'claim values that give each console role (the highest matching wins; none: refused)',
          properties: {
            viewer: { type: 'array', items: { type: 'string' }, default: [] },
            operator: { type: 'array', items: { type: 'string' }, default: [] },
            admin: { type: 'array', items: { type: 'string' }, default: [] },
          },
        },
      },
    },
    users: {
      type: 'array',
      default: [],
      description: 'local accounts of the console (hie console-user hash prints a passwordHash)',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'role', 'passwordHash'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' },
          displayName: { type: 'string', minLength: 1, maxLength: 128 },
          role: { enum: ['viewer', 'operator', 'admin'] },
          passwordHash: { type: 'string', pattern: '^scrypt\\$' },
        },
      },
    },
  },
} as const;
// --- end web console ---

// --- Who is asking (issue 14): nodes, the local identity, consent, XUA ---
const roles = { type: 'array', uniqueItems: true, items: { enum: ['source', 'consumer', 'auditor', 'admin', 'gateway'] } } as const;
const purposes = { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 }, default: [] } as const;

const nodesSchema = {
  type: 'array',
  default: [],
  description: 'the nodes allowed to talk to this server, each named by its TLS client certificate',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'roles'],
    anyOf: [{ required: ['subject'] }, { required: ['fingerprint'] }, { required: ['addresses'] }],
    properties: {
      name: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9._-]+$' },
      subject: { type: 'string', minLength: 1, description: 'certificate subject, e.g. "CN=hosp-a" or "CN=hosp-a,O=Hospital A" (all given attributes must match)' },
      fingerprint: { type: 'string', pattern: '^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$', description: 'SHA-256 fingerprint of the certificate' },
      addresses: { type: 'array', items: { type: 'string' }, description: 'peer IP addresses on a plaintext listener (needs access.allowPlaintextNetwork)' },
      facility: { type: 'string', description: 'namespace or OID of the identity.domains entry this node acts for' },
      facilities: { type: 'array', items: { type: 'string' }, description: 'more facilities, as facility' },
      sourceIds: {
        type: 'array',
        items: { type: 'string', pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$' },
        description: 'XDS sourceIds (OIDs) of the node\'s Document Sources; its facilities\' OIDs are always accepted',
      },
      auditSourceIds: { type: 'array', items: { type: 'string' }, description: 'AuditSourceIDs of audit messages this node sends; its name when absent' },
      roles,
      breakGlass: { ...purposes, description: 'purposes of use (EMERGENCY, DISASTER) with which this node sees what consent withholds' },
      requireAssertion: { type: 'boolean', default: false, description: 'SOAP requests must carry a valid XUA assertion (ITI-40)' },
      homeCommunityId: { type: 'string', pattern: '^urn:oid:[0-2](\\.(0|[1-9][0-9]*))+$', description: 'for a gateway node: the peer community' },
      displayName: { type: 'string', minLength: 1, description: 'the node as a patient knows it, in the patient access report' },
    },
  },
} as const;

const accessSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    local: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'the identity of a client on loopback without TLS',
      properties: {
        enabled: { type: 'boolean', default: true },
        name: { type: 'string', minLength: 1, default: 'local' },
        facilities: { type: 'array', items: { type: 'string' }, default: ['*'], description: "namespaces or OIDs; '*' acts for every facility (the operator)" },
        roles: { ...roles, default: ['source', 'consumer', 'auditor', 'admin'] },
        breakGlass: purposes,
      },
    },
    allowPlaintextNetwork: { type: 'boolean', default: false, description: 'let a listener without TLS bind a non-loopback address (logged as a warning)' },
    hl7v2PurposeOfUse: {
      type: 'string',
      pattern: '^[A-Z][A-Z0-9]{2}-[1-9][0-9]*(\\.[1-9][0-9]*)?$',
      description: 'the HL7 v2 field that carries the purpose of use of PIX/PDQ queries, e.g. "QPD-9" or "ZPU-1"',
    },
  },
} as const;

const bppcCodes = {
  type: 'array',
  items: { type: 'object', additionalProperties: false, required: ['code', 'codingScheme'], properties: { code: { type: 'string' }, codingScheme: { type: 'string' } } },
} as const;

const consentSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: true, description: 'false shares every document with every consumer (benchmarks only)' },
    participationDefault: {
      enum: ['opt-in', 'opt-out'],
      default: 'opt-in',
      description: 'opt-in: a patient is shared only once enrolled (Japanese regional networks); opt-out: shared unless the patient opts out',
    },
    emergencyPurposes: { ...purposes, default: ['EMERGENCY', 'ETREAT', 'BTG'] },
    disasterPurposes: { ...purposes, default: ['DISASTER'] },
    bppcPolicies: {
      type: 'array',
      default: [],
      description: 'the consent policies of this region a BPPC acknowledgement (eventCodeList) may name, and what each means',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'codingScheme'],
        properties: {
          code: { type: 'string', minLength: 1 },
          codingScheme: { type: 'string', minLength: 1 },
          participation: { enum: ['not-enrolled', 'opted-in', 'opted-out'], description: 'absent: the policy only limits (facilities, withhold)' },
          facilities: { type: 'array', items: { type: 'string' }, description: 'namespaces or OIDs of the facilities that may see' },
          peerRegions: { type: 'array', items: { type: 'string', pattern: '^urn:oid:[0-2](\\.(0|[1-9][0-9]*))+$' }, description: 'homeCommunityIds of peer regions that may see' },
          withhold: {
            type: 'object',
            additionalProperties: false,
            properties: {
              classCodes: bppcCodes,
              typeCodes: bppcCodes,
              confidentialityCodes: bppcCodes,
              practiceSettingCodes: bppcCodes,
              facilities: { type: 'array', items: { type: 'string' }, description: 'namespaces or OIDs' },
            },
          },
        },
      },
    },
  },
} as const;

const xuaSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    identityProviders: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'cert'],
        properties: {
          name: { type: 'string', minLength: 1 },
          cert: { type: 'string', description: 'PEM file of the certificate the identity provider signs assertions with' },
          issuer: { type: 'string', description: 'the assertion Issuer this provider uses; any when absent' },
        },
      },
    },
    audiences: { type: 'array', items: { type: 'string' }, default: [], description: 'accepted AudienceRestriction values; empty: the URL the request was sent to' },
    clockSkewSeconds: { type: 'integer', minimum: 0, maximum: 600, default: 60 },
  },
} as const;
// --- IUA (issue 18): bearer tokens (JWT) on the FHIR base, ITI-72 at the Resource Server ---
const iuaSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    issuers: {
      type: 'array',
      default: [],
      description: 'authorization servers whose JWT access tokens the FHIR base accepts; none: no token is asked for',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['issuer', 'audiences'],
        oneOf: [{ required: ['jwksFile'] }, { required: ['keys'] }],
        properties: {
          issuer: { type: 'string', minLength: 1, description: 'the iss of its tokens' },
          jwksFile: { type: 'string', minLength: 1, description: 'JWKS file (RFC 7517) of its public keys' },
          keys: { type: 'array', minItems: 1, items: { type: 'object', required: ['kty'] }, description: 'its public keys as JWKs' },
          audiences: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'accepted aud values (this server\'s FHIR base URL or resource name)' },
          algorithms: { type: 'array', minItems: 1, items: { enum: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] }, default: ['RS256', 'ES256'] },
        },
      },
    },
    clockSkewSeconds: { type: 'integer', minimum: 0, maximum: 600, default: 60, description: 'allowed clock difference for exp, nbf and iat' },
    requiredScopes: { type: 'array', items: { type: 'string', minLength: 1, pattern: '^[^\\s"\\\\]+$' }, default: [], description: 'scopes every token must grant' },
    realm: { type: 'string', minLength: 1, pattern: '^[^"\\\\]+$', default: 'hie', description: 'realm of the WWW-Authenticate challenge' },
    transactionScopes: { type: 'boolean', default: true, description: 'each transaction asks for the scope named after it (ITI-78, ITI-83, ITI-81, ITI-20), as PIXm and PDQm define for IUA' },
  },
} as const;
// --- end IUA ---
// --- end who is asking ---

// --- XCA (issue 16): this region's homeCommunityId, the Responding and Initiating Gateways, the community directory ---
const homeCommunityIdPattern = '^urn:oid:[0-2](\\.(0|[1-9][0-9]*))+$';
const xcaSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    homeCommunityId: { type: 'string', pattern: homeCommunityIdPattern, description: 'this region\'s homeCommunityId (urn:oid:...); the gateways run only when it is set' },
    respondingGateway: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        path: { type: 'string', pattern: '^/', default: '/services/xca/responding', description: 'ITI-38 and ITI-39 from peer communities (nodes with the gateway role)' },
      },
    },
    initiatingGateway: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        path: { type: 'string', pattern: '^/', default: '/services/xca/initiating', description: 'ITI-18 and ITI-43 from local consumers (XDS Affinity Domain Option)' },
        failuresBeforeBackoff: { type: 'integer', minimum: 1, default: 3, description: 'consecutive failures after which a peer is skipped' },
        backoffMs: { type: 'integer', minimum: 0, default: 30000, description: 'how long a failing peer is skipped' },
        maxResponseBytes: { type: 'integer', minimum: 1024, default: 268435456, description: 'largest answer read from a peer, MTOM attachments included' },
      },
    },
    communities: {
      type: 'array',
      default: [],
      description: 'the community directory: peer regions this one queries and that query it',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['homeCommunityId', 'name', 'queryUrl', 'retrieveUrl'],
        properties: {
          homeCommunityId: { type: 'string', pattern: homeCommunityIdPattern },
          name: { type: 'string', minLength: 1 },
          queryUrl: { type: 'string', pattern: '^https?://', description: 'the peer Responding Gateway\'s ITI-38 endpoint' },
          retrieveUrl: { type: 'string', pattern: '^https?://', description: 'the peer Responding Gateway\'s ITI-39 endpoint' },
          tls: {
            type: 'object',
            additionalProperties: false,
            description: 'PEM files for https: the peer\'s CA, this node\'s certificate and key',
            properties: { ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
          },
          identity: {
            type: 'object',
            additionalProperties: false,
            default: {},
            properties: {
              mode: { enum: ['token', 'pseudonym'], default: 'token', description: 'token: the medical-field token; pseudonym: the link\'s own pseudonym of it' },
              pseudonymDomain: { type: 'string', description: 'pseudonym mode: namespace or OID of the identity.pseudonymDomains entry (its key) of this link' },
            },
          },
          timeoutMs: { type: 'integer', minimum: 50, default: 10000, description: 'longest wait for this peer\'s answer' },
          forwardAssertion: {
            type: 'boolean',
            default: false,
            description: 'convey the local consumer\'s XUA assertion (its user and purpose of use) in the wsse:Security header of ITI-38/ITI-39 to this peer; the peer must trust the assertion\'s issuer and audience',
          },
        },
      },
    },
  },
} as const;
// --- end XCA ---

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dataDir: { type: 'string', default: './var' },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { level: { enum: ['debug', 'info', 'warn', 'error', 'silent'], default: 'info' } },
    },
    node: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        application: { type: 'string', default: 'HIE', description: 'MSH-3 of messages this server sends' },
        facility: { type: 'string', default: 'REGIONAL_HIE', description: 'MSH-4 of messages this server sends' },
        auditSourceId: { type: 'string', default: 'HIE' },
        auditEnterpriseSiteId: { type: 'string', default: 'REGIONAL_HIE' },
      },
    },
    mllp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        host: { type: 'string', default: '127.0.0.1' },
        port: { ...port, default: 2575 },
        maxMessageBytes: { type: 'integer', minimum: 1024, default: 1048576 },
        idleTimeoutMs: { type: 'integer', minimum: 1000, default: 120000 },
        frameTimeoutMs: { type: 'integer', minimum: 100, default: 30000, description: 'a frame must end within this of its start block, else the connection is closed' },
        ...connectionCaps,
        tls: tlsOptions,
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        host: { type: 'string', default: '127.0.0.1' },
        port: { ...port, default: 8080 },
        headersTimeoutMs: { type: 'integer', minimum: 100, default: 60000, description: 'a request\'s headers must come within this, else 408' },
        requestTimeoutMs: { type: 'integer', minimum: 100, default: 300000, description: 'a whole request, body included, must come within this, else 408; not less than headersTimeoutMs' },
        idleTimeoutMs: { type: 'integer', minimum: 100, default: 120000, description: 'a connection without traffic either way is closed' },
        ...connectionCaps,
        tls: tlsOptions,
        shutdownGraceMs: { type: 'integer', minimum: 0, default: 10000, description: 'at stop, how long requests in flight may take to finish before their connections are closed' },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        engine: { enum: ['sqlite', 'postgres'], default: 'sqlite', description: 'sqlite: one file under dataDir, no server needed; postgres: the database store.postgres names' },
        sqlite: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            file: { type: 'string', default: 'hie.db', description: 'relative to dataDir' },
            synchronous: { enum: ['FULL', 'NORMAL'], default: 'FULL' },
          },
        },
        postgres: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'with engine postgres: the database, by url or by its parts (url and parts exclude each other)',
          properties: {
            url: { type: 'string', pattern: '^postgres(ql)?://', description: 'postgres://user:password@host:port/database' },
            host: { type: 'string', minLength: 1, description: 'host name or address, or the folder of a unix socket' },
            port: { ...port, minimum: 1, description: 'default 5432' },
            database: { type: 'string', minLength: 1 },
            user: { type: 'string', minLength: 1 },
            password: { type: 'string' },
            poolSize: { type: 'integer', minimum: 1, default: 10, description: 'connections to the database at most, per process' },
            statementTimeoutMs: { type: 'integer', minimum: 0, default: 30000, description: 'a statement running longer is cancelled and its request fails whole (0: no limit)' },
            connectTimeoutMs: { type: 'integer', minimum: 100, default: 10000, description: 'how long to wait for a connection to the database, at start and from the pool' },
            outboxClaimMs: {
              type: 'integer',
              minimum: 1000,
              default: 60000,
              description: 'how long a process holds the outbox messages it claimed to send (ITI-10, audit forwarding); those of a process that died are sent by another after it',
            },
            replicas: {
              type: 'array',
              default: [],
              description: 'read replicas (streaming standbys of this database), by url or by parts each: the reads of replicaTransactions go to one of them, until the request writes',
              items: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  url: { type: 'string', pattern: '^postgres(ql)?://', description: 'postgres://user:password@host:port/database' },
                  host: { type: 'string', minLength: 1, description: 'host name or address, or the folder of a unix socket' },
                  port: { ...port, minimum: 1, description: 'default 5432' },
                  database: { type: 'string', minLength: 1 },
                  user: { type: 'string', minLength: 1 },
                  password: { type: 'string' },
                  poolSize: { type: 'integer', minimum: 1, default: 10, description: 'connections to this replica at most, per process' },
                },
              },
            },
            replicaMaxLagMs: {
              type: 'integer',
              minimum: 0,
              default: 5000,
              description: 'a replica further behind the primary than this (or unreachable) is not read from: the primary answers instead',
            },
            replicaCheckMs: { type: 'integer', minimum: 50, default: 1000, description: 'how often each replica is asked how far it has replayed (less than replicaMaxLagMs)' },
            replicaTransactions: {
              type: 'array',
              items: { type: 'string', pattern: '^[A-Z]+-[0-9]+$' },
              default: ['ITI-18', 'ITI-21', 'ITI-78', 'ITI-81'],
              description: 'the transactions (ITI-18, ITI-21 PDQ, ITI-78 PDQm, ITI-81, ...) whose reads a replica may answer',
            },
            tls: {
              type: 'object',
              additionalProperties: false,
              dependencies: { cert: ['key'], key: ['cert'] },
              description: 'TLS to the database (present: required)',
              properties: {
                ca: { type: 'string', description: 'PEM file of the CA that signs the database server certificate (default: the system CAs)' },
                cert: { type: 'string', description: 'PEM file of a client certificate, when the database asks for one' },
                key: { type: 'string', description: 'PEM file of its private key' },
                servername: { type: 'string', description: 'the name the server certificate must carry, when not the host' },
                rejectUnauthorized: { type: 'boolean', default: true, description: 'false accepts any server certificate (testing only)' },
              },
            },
          },
        },
        minFreeBytes: {
          type: 'integer',
          minimum: 0,
          default: 1073741824,
          description: 'below this free space in dataDir new writes are refused with each protocol\'s error and received audit messages dropped (0: off)',
        },
        freeSpaceCheckMs: { type: 'integer', minimum: 50, default: 2000, description: 'how often the free space of dataDir is looked at' },
      },
    },
    hl7v2: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        defaultCharset: { enum: ['ascii', 'utf-8', 'iso-2022-jp', 'latin1'], default: 'utf-8', description: 'when MSH-18 is empty' },
        versions: { type: 'array', items: { type: 'string' }, default: ['2.3', '2.3.1', '2.4', '2.5', '2.5.1'] },
        processingIds: {
          type: 'array',
          items: { type: 'string' },
          default: [],
          description: 'MSH-11 values accepted (HL7 table 0103: P, T, D); empty accepts any, as the NIST toolkit sends 1',
        },
      },
    },
    identity: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        token: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            authority: { ...authority, default: { namespace: 'MFTOKEN', oid: '2.999.392.1.1' } },
            issuerKey: { type: 'string', minLength: 16, description: 'secret of the demo token issuer; generated under dataDir when absent' },
            disclose: { type: 'boolean', default: false, description: 'return the token itself in PIX/PDQ answers' },
          },
        },
        regional: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            authority: { ...authority, default: { namespace: 'REGION', oid: '2.999.392.1.2' } },
            prefix: { type: 'string', pattern: '^[A-Z0-9]{0,5}$', default: 'R' },
          },
        },
        individualNumber: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            namespace: { type: 'string', pattern: '^[^\\s|^~\\\\&]{1,20}$', default: 'MYNUMBER', description: 'namespace ID (CX-4.1) of the individual-number domain' },
            oid: { type: 'string', pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$', default: '2.999.392.1.9', description: 'OID (CX-4.2) of the individual-number domain' },
            authorities: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'more OIDs or namespaces that name the individual-number domain' },
            typeCodes: { type: 'array', items: { type: 'string' }, default: ['MN'], description: 'CX-5 identifier type codes of the individual number' },
            freeTextScreening: {
              type: 'object',
              additionalProperties: false,
              default: {},
              description: 'refuse (HL7 v2) or mask (audit) 12 digits with a valid check digit in PID-5, PID-13, OBX-5 and audit user names; about 1 in 11 random 12-digit strings pass (docs/individual-number.md)',
              properties: { enabled: { type: 'boolean', default: false } },
            },
          },
        },
        domains: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['namespace', 'oid'],
            properties: {
              ...authority.properties,
              sourceApplication: { type: 'string', description: 'MSH-3 of the patient identity source whose CX-4 may be empty' },
              sourceFacility: { type: 'string', description: 'MSH-4 of that source' },
              displayName: { type: 'string', minLength: 1, description: 'the facility as a patient knows it (e.g. 登呂中央病院), in the patient access report' },
            },
          },
        },
        unknownDomains: { enum: ['register', 'reject'], default: 'register' },
        pseudonymDomains: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['namespace', 'oid', 'key'],
            properties: { ...authority.properties, key: { type: 'string', minLength: 16 } },
          },
        },
        matching: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            proposeThreshold: { type: 'number', minimum: 0, maximum: 1, default: 0.7 },
            maxCandidates: { type: 'integer', minimum: 1, default: 200 },
          },
        },
      },
    },
    pix: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        consumers: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'host', 'port'],
            properties: {
              name: { type: 'string' },
              host: { type: 'string' },
              port,
              application: { type: 'string', default: '' },
              facility: { type: 'string', default: '' },
              domains: { type: 'array', items: { type: 'string' }, default: [], description: 'OIDs or namespaces; empty means all' },
              tls: {
                type: 'object',
                additionalProperties: false,
                properties: { ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
              },
            },
          },
        },
        retry: retryBackoff,
        maxIdentifiers: {
          type: 'integer',
          minimum: 1,
          maximum: 10000,
          default: 20,
          description: 'repetitions of PID-3 (and MRG-1) an ITI-8 feed may carry; more is refused AR 207, nothing stored',
        },
      },
    },
    syslog: syslogSchema,
    atna: atnaSchema,
    nodes: nodesSchema,
    access: accessSchema,
    consent: consentSchema,
    console: consoleSchema,
    xua: xuaSchema,
    iua: iuaSchema,
    pdq: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxMatches: { type: 'integer', minimum: 1, default: 1000 },
        continuationTtlMs: { type: 'integer', minimum: 1000, default: 600000 },
        maxOpenContinuations: { type: 'integer', minimum: 1, default: 10000 },
        maxOpenContinuationsPerRequester: { type: 'integer', minimum: 1, default: 1000, description: 'open continued queries of one node; beyond it its own oldest goes' },
      },
    },
    xca: xcaSchema,
    mhd: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'MHD Document Recipient and Document Responder (ITI-65, ITI-66, ITI-67, ITI-68) under /fhir, over the XDS registry and repository',
      properties: {
        enabled: { type: 'boolean', default: true },
        maxBundleBytes: { type: 'integer', minimum: 1024, default: 67108864, description: 'largest ITI-65 Provide Document Bundle (JSON, documents inline in base64)' },
      },
    },
    xds: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        registry: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: { type: 'boolean', default: true },
            path: { type: 'string', pattern: '^/', default: '/services/registry' },
            saveExtraMetadata: { type: 'boolean', default: true, description: 'keep extra metadata slots; false drops them with XDSExtraMetadataNotSaved' },
            maxResults: { type: 'integer', minimum: 1, default: 1000, description: 'a stored query matching more objects answers XDSTooManyResults' },
            maxQueryValues: {
              type: 'integer',
              minimum: 1,
              maximum: 2000,
              default: 1000,
              description: 'values one stored-query parameter may have; more is XDSRegistryError (the maximum keeps every query under the store\'s bound variables)',
            },
          },
        },
        repository: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: { type: 'boolean', default: true },
            path: { type: 'string', pattern: '^/', default: '/services/repository' },
            uniqueId: { type: 'string', pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$', default: '2.999.392.1.3', description: 'repositoryUniqueId of this repository' },
            blobDir: { type: 'string', default: 'blobs', description: 'relative to dataDir' },
            registryUrl: {
              type: 'string',
              pattern: '^https?://',
              description: 'register ITI-41 submissions at this Document Registry over ITI-42 instead of the in-process registry',
            },
            registryTimeoutMs: { type: 'integer', minimum: 100, default: 30000, description: 'longest wait for the remote registry' },
            registryTls: {
              type: 'object',
              additionalProperties: false,
              description: 'PEM files for an https registryUrl: CA of the registry, and this node certificate when the registry asks for one',
              properties: { ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
            },
          },
        },
        limits: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            maxXmlBytes: { type: 'integer', minimum: 1024, default: 67108864, description: 'largest SOAP envelope' },
            maxXmlDepth: { type: 'integer', minimum: 8, default: 64 },
            maxRequestBytes: { type: 'integer', minimum: 1024, default: 1073741824, description: 'largest request, MTOM attachments included' },
            spoolThresholdBytes: { type: 'integer', minimum: 0, default: 1048576, description: 'attachments above this are spooled to a file under dataDir' },
            memoryPerRequestBytes: {
              type: 'integer',
              minimum: 0,
              default: 16777216,
              description: 'bytes of attachments one request keeps in memory; beyond it every attachment is spooled, however small',
            },
            maxParts: { type: 'integer', minimum: 2, default: 10000, description: 'most MIME parts in one MTOM request' },
          },
        },
        decodeThreads: { type: 'integer', minimum: 0, maximum: 64, default: 1, description: 'threads parsing and decoding ITI-42 requests (0: the main thread)' },
      },
    },
    ingest: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ssmix2: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            deleted: { enum: ['deprecate', 'remove'], default: 'deprecate', description: 'what a condition-0 (deleted) file does to the document of its data' },
            uniqueIdRoot: { type: 'string', pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$', default: '2.999.392.1.20.5', description: 'OID root of the document and submission set uniqueIds derived from each file' },
            healthcareFacilityTypeCode: {
              type: 'object',
              additionalProperties: false,
              default: {},
              properties: {
                code: { type: 'string', default: 'hospital' },
                codingScheme: { type: 'string', default: '2.999.392.1.20.6' },
                displayName: { type: 'string', default: '病院' },
              },
            },
            concurrency: {
              type: 'integer',
              minimum: 1,
              maximum: 1024,
              default: 256,
              description: 'patients ingested at once (their files in order); their writes commit together, so more patients make fewer, larger commits',
            },
            tls: {
              type: 'object',
              additionalProperties: false,
              description: 'PEM files of the adapter publishing with --to mllps:// or https://: the CA of the HIE, and the adapter certificate and key it presents',
              properties: { ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
            },
          },
        },
        clinicalFeed: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: { type: 'boolean', default: true, description: 'accept clinical HL7 v2 messages (RDE, RAS, OML, OUL, OMG, OMI, ORU, PPR, OMD, ADT) over MLLP and share them as documents' },
          },
        },
      },
    },
  },
} as const;
