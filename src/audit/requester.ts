/**
 * Who asked, as every audit message names it: the authenticated node (UserID its certificate
 * subject, or the local identity's name; AlternativeUserID the node entry), and the human user of a
 * verified XUA assertion (ITI TF-2b 3.40.4.2: UserName `alias<user@issuer>`, the assertion's role as
 * RoleIDCode) with the purpose of use in EventIdentification (DICOM PS3.15 A.5.1).
 */
import type { RequestContext } from '../kernel/requestContext.ts';
import type { ActiveParticipant, AuditMessage, CodedValue } from './auditMessage.ts';

function napOf(address: string): Pick<ActiveParticipant, 'networkAccessPointId' | 'networkAccessPointTypeCode'> {
  const a = (address.startsWith('::ffff:') ? address.slice(7) : address).replace(/^\[|\]$/g, '');
  if (!a) return {};
  return { networkAccessPointId: a, networkAccessPointTypeCode: /^[\d.]+$/.test(a) || a.includes(':') ? '2' : '1' };
}

/** The node participant of a request: undefined for work this server does on its own. */
export function nodeParticipant(ctx: RequestContext): ActiveParticipant | undefined {
  if (ctx.transport === 'internal') return undefined;
  const userId = ctx.certificate?.subject || (ctx.node ? `node:${ctx.node.name}` : `unknown:${ctx.address || ctx.transport}`);
  return {
    userId,
    alternativeUserId: ctx.node?.name,
    userName: ctx.certificate ? `SHA-256:${ctx.certificate.fingerprint256}` : undefined,
    userIsRequestor: true,
    roleIdCodes: [],
    ...napOf(ctx.address),
  };
}

/**
 * The human requestor of a verified assertion: UserName `alias<user@issuer>`, alias the NameID's
 * SPProvidedID (empty when it has none), user the NameID, issuer the assertion's Issuer (ITI TF-2b
 * 3.40.4.2); UserID the NameID, RoleIDCode the assertion's role.
 */
export function userParticipant(ctx: RequestContext): ActiveParticipant | undefined {
  const u = ctx.user;
  if (!u) return undefined;
  const role: CodedValue[] = u.role ? [{ code: u.role.code, codeSystemName: u.role.codeSystem ?? '', originalText: u.role.displayName ?? u.role.code }] : [];
  return {
    userId: u.id,
    userName: `${u.alias ?? ''}<${u.id}@${u.issuer}>`,
    userIsRequestor: true,
    roleIdCodes: role,
  };
}

/** The purpose of use of the request, as EventIdentification/PurposeOfUse. */
export function purposeOfUse(ctx: RequestContext): CodedValue[] | undefined {
  const p = ctx.purposeOfUse;
  if (!p) return undefined;
  return [{ code: p.code, codeSystemName: p.codeSystem ?? '', originalText: p.displayName ?? p.code }];
}

/** Adds the node, the user and the purpose of use of the request to a message built by a transaction's audit builder. */
export function withRequester(m: AuditMessage, ctx: RequestContext): AuditMessage {
  const extra = [nodeParticipant(ctx), userParticipant(ctx)].filter((p): p is ActiveParticipant => !!p);
  m.participants.push(...extra);
  const p = purposeOfUse(ctx);
  if (p) m.purposeOfUse = p;
  return m;
}
