/**
 * Who is asking, for a request of the console: the services see the console as a node named
 * `console` with the roles its signed-in user's console role grants, and the user as the request's
 * human user, so that every audit message names them (audit/requester.ts). The console acts for no
 * facility: an operator is the network's staff (`network`), and sees what the patient's consent
 * shares with the whole network (consent/patientView.ts, rule 4); a patient is the `subject` of their
 * own records and sees those whole, nobody else's.
 *   viewer   -> consumer                   (find patients, read documents)
 *   operator -> consumer, admin            (and review links, change consent)
 *   admin    -> consumer, admin, auditor   (and read the audit trail, operations)
 */
import type { ConsoleRole } from '../../kernel/config.ts';
import type { NodeRole, RequestContext } from '../../kernel/requestContext.ts';
import type { SessionUser } from './sessions.ts';

export const ROLE_GRANTS: Record<ConsoleRole, readonly NodeRole[]> = {
  viewer: ['consumer'],
  operator: ['consumer', 'admin'],
  admin: ['consumer', 'admin', 'auditor'],
};

export const CONSOLE_NODE = 'console';
export const CONSOLE_ISSUER = 'hie-console';

/** The request context of a console user; `base` is the HTTP request's own (address, certificate). */
export function consoleContext(base: RequestContext, user: SessionUser): RequestContext {
  const operator = user.kind === 'operator' && user.role !== 'patient';
  const roles: readonly NodeRole[] = operator ? ROLE_GRANTS[user.role as ConsoleRole] : [];
  return {
    transport: 'http',
    address: base.address,
    ...(base.certificate ? { certificate: base.certificate } : {}),
    node: { name: CONSOLE_NODE, facilities: [], sourceIds: [], auditSourceIds: [], roles: new Set(roles), breakGlass: new Set(), requireAssertion: false, ...(operator ? { network: true } : {}) },
    ...(user.kind === 'patient' && user.patient ? { subject: { regionalId: user.patient } } : {}),
    user: {
      id: user.name,
      alias: user.name,
      name: user.displayName,
      role: { code: user.role, codeSystem: 'HIE console role', displayName: user.role },
      issuer: CONSOLE_ISSUER,
      assertionId: '',
    },
  };
}

/** A console role grants at least `need`. */
export function atLeast(role: SessionUser['role'], need: ConsoleRole): boolean {
  const rank = { viewer: 1, operator: 2, admin: 3, patient: 0 } as const;
  return rank[role] >= rank[need];
}
