/**
 * Who is asking, for a request of the console: the services see the console as a node (named
 * `console`, acting for every facility as the network operator's own node does) with the roles its
 * signed-in user's console role grants, and the user as the request's human user, so that every audit
 * message names them (audit/requester.ts).
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
  const roles: readonly NodeRole[] = user.kind === 'operator' && user.role !== 'patient' ? ROLE_GRANTS[user.role] : [];
  return {
    transport: 'http',
    address: base.address,
    ...(base.certificate ? { certificate: base.certificate } : {}),
    node: { name: CONSOLE_NODE, facilities: '*', sourceIds: [], auditSourceIds: [], roles: new Set(roles), breakGlass: new Set(), requireAssertion: false },
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
