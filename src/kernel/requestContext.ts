/**
 * Who is asking: the request context every edge makes (MLLP, SOAP, FHIR/HTTP, syslog, the CLI) and
 * passes to every service. Services decide on it (node authorization, consent, break-glass); audit
 * messages name its node and user. Nothing here knows a protocol.
 */

/** What a node may do (config `nodes[].roles`). */
export type NodeRole = 'source' | 'consumer' | 'auditor' | 'admin' | 'gateway';

export const NODE_ROLES: readonly NodeRole[] = ['source', 'consumer', 'auditor', 'admin', 'gateway'];

/** A node as config names it, once its certificate (or its loopback connection) is matched. */
export interface NodeIdentity {
  /** The config entry's name (`nodes[].name`, or `access.local.name`). */
  name: string;
  /**
   * The domain keys (identity.domains) of the facilities the node acts for. `'*'`: every facility,
   * the network operator's own node (the default local identity on loopback).
   */
  facilities: readonly string[] | '*';
  /** XDS sourceIds (OIDs) it submits under: its facilities' OIDs and config `sourceIds`. */
  sourceIds: readonly string[];
  /** AuditSourceIDs its audit messages may carry (config `auditSourceIds`, else its name). */
  auditSourceIds: readonly string[];
  roles: ReadonlySet<NodeRole>;
  /** Purposes of use that let this node see what consent withholds (EMERGENCY, DISASTER). */
  breakGlass: ReadonlySet<string>;
  /** A SOAP request from this node must carry a valid XUA assertion (ITI-40). */
  requireAssertion: boolean;
  /** For a `gateway` node: the peer community's homeCommunityId. */
  homeCommunityId?: string;
  /**
   * The network's own staff (the web console's operators), acting for no facility: consent decides
   * what they see like for any requester (consent/patientView.ts, rule 4).
   */
  network?: boolean;
}

/** The TLS client certificate a request came with. */
export interface CertificateInfo {
  /** The subject as an RFC 4514-like string, most significant first: `CN=hosp-a,O=Hospital A`. */
  subject: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex, as node:tls gives it. */
  fingerprint256: string;
  serialNumber?: string;
}

/** A coded value of an assertion attribute (HL7 CE: code, code system, display name). */
export interface AssertionCode {
  code: string;
  codeSystem?: string;
  displayName?: string;
}

/** The human user of a request, from a verified XUA assertion (ITI TF-2b 3.40.4.1.2) or IUA token. */
export interface RequestUser {
  /** The assertion's Subject NameID. */
  id: string;
  /** The NameID's SPProvidedID, the alias audit messages name the user by. */
  alias?: string;
  /** subject-id attribute: the user's name. */
  name?: string;
  role?: AssertionCode;
  organization?: string;
  organizationId?: string;
  homeCommunityId?: string;
  /** The national provider identifier, when the assertion carries one. */
  npi?: string;
  /** The assertion's Issuer. */
  issuer: string;
  /** The assertion's ID (the audit names it). */
  assertionId: string;
  /**
   * The signed assertion as received, serialized: what an Initiating Gateway conveys to peers whose
   * link says so (xca.communities[].forwardAssertion). Never logged or audited.
   */
  assertionXml?: string;
}

export type Transport = 'mllp' | 'soap' | 'http' | 'syslog-tls' | 'syslog-tcp' | 'syslog-udp' | 'cli' | 'internal';

export interface RequestContext {
  transport: Transport;
  /** The peer's IP address (v4-mapped prefix stripped); empty for in-process callers. */
  address: string;
  /** The authenticated node; undefined when the peer matched no node (refused by every rule but syslog's keep-and-mark). */
  node?: NodeIdentity;
  /** The peer's client certificate, matched or not. */
  certificate?: CertificateInfo;
  /** HL7 v2: MSH-3 and MSH-4 of the request. */
  hl7?: { application: string; facility: string };
  /** The human user (XUA or IUA). */
  user?: RequestUser;
  /**
   * Purpose of use, as a code (TREATMENT, EMERGENCY, DISASTER, ...; the XUA PurposeOfUse or a
   * configured HL7 v2 field), with its code system when known.
   */
  purposeOfUse?: AssertionCode;
  /** A patient asking about their own records (the console's patient page): the regional ID they signed in as. */
  subject?: { regionalId: string };
}

export function hasRole(ctx: RequestContext, role: NodeRole): boolean {
  return !!ctx.node && ctx.node.roles.has(role);
}

/** True when the request's node acts for the facility of this domain key. */
export function actsFor(ctx: RequestContext, facilityKey: string | null | undefined): boolean {
  const f = ctx.node?.facilities;
  if (!f) return false;
  if (f === '*') return true;
  return !!facilityKey && f.includes(facilityKey);
}

/** How audit messages and logs name the requester: the node, else the certificate, else the address. */
export function requesterName(ctx: RequestContext): string {
  return ctx.node?.name ?? (ctx.certificate ? ctx.certificate.subject : ctx.address || ctx.transport);
}

/** The context of work this server does on its own (ingest, maintenance): the operator, every facility, every role. */
export function internalContext(name = 'hie'): RequestContext {
  return {
    transport: 'internal',
    address: '',
    node: { name, facilities: '*', sourceIds: [], auditSourceIds: [], roles: new Set(NODE_ROLES), breakGlass: new Set(), requireAssertion: false },
  };
}
