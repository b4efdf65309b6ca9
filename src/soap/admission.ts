/**
 * Who may call a SOAP transaction, decided at the edge before it runs: the peer must be a configured
 * node; an X-User Assertion in its wsse:Security header must be valid (XUA, ITI TF-2b 3.40.4.1.3), and
 * one is needed when the node's config says so; the node must hold one of the roles the transaction
 * names. A refusal is a SOAP Fault (env:Sender; hie:NotAuthorized, or the WS-Security fault code of
 * OASIS WSS 1.1 section 12) and is reported to the guard, which audits it (a Security Alert).
 */
import type { Logger } from '../kernel/logger.ts';
import type { NodeRole, RequestContext } from '../kernel/requestContext.ts';
import type { SoapEnvelope } from './envelope.ts';
import { SoapFault, Subcodes, wsseSubcode } from './fault.ts';
import { WsSecurityError } from './wsSecurity/errors.ts';
import type { AssertionVerifier } from './wsSecurity/verifier.ts';

export interface SoapRefusal {
  /** The transaction refused (ITI-18, ...). */
  transaction: string;
  /** The URL the request was sent to. */
  endpoint: string;
  reason: string;
}

export interface SoapGuard {
  /** The X-Service Provider's check; absent: no identity provider is configured, and every assertion is refused. */
  xua?: AssertionVerifier;
  /** Records a refused request (a Security Alert naming the node and, once verified, the user). */
  refused(ctx: RequestContext, refusal: SoapRefusal): Promise<void>;
}

export interface GuardedTransaction {
  id: string;
  /** The node roles any of which lets a node call it. */
  roles: readonly NodeRole[];
}

/** The request's context once it is admitted (with the assertion's user and purpose of use); throws the refusal's SoapFault. */
export async function admit(guard: SoapGuard, log: Logger, tx: GuardedTransaction, env: SoapEnvelope, ctx: RequestContext, endpoint: string): Promise<RequestContext> {
  const refuse = async (c: RequestContext, fault: SoapFault): Promise<never> => {
    try {
      await guard.refused(c, { transaction: tx.id, endpoint, reason: fault.reason });
    } catch (e) {
      log.error('soap.refusal-audit-failed', { transaction: tx.id, error: e instanceof Error ? e.message : String(e) });
    }
    throw fault;
  };
  const node = ctx.node;
  if (!node) return refuse(ctx, new SoapFault('Sender', `${tx.id} refused: the peer is not a configured node`, Subcodes.notAuthorized));

  let admitted = ctx;
  if (env.securityHeader !== undefined) {
    try {
      if (!guard.xua) throw new WsSecurityError('FailedAuthentication', 'no identity provider is configured (xua.identityProviders)');
      const v = guard.xua.verify(env.securityHeader, endpoint);
      admitted = { ...ctx, user: v.user, ...(v.purposeOfUse ? { purposeOfUse: v.purposeOfUse } : {}) };
    } catch (e) {
      if (!(e instanceof WsSecurityError)) throw e;
      return refuse(ctx, new SoapFault('Sender', `X-User Assertion refused: ${e.message}`, wsseSubcode(e.code)));
    }
  } else if (node.requireAssertion) {
    return refuse(ctx, new SoapFault('Sender', `node ${node.name} must send an X-User Assertion in a wsse:Security header (ITI-40)`, wsseSubcode('InvalidSecurity')));
  }

  if (!tx.roles.some((r) => node.roles.has(r))) {
    return refuse(admitted, new SoapFault('Sender', `${tx.id} refused: node ${node.name} has none of the roles ${tx.roles.join(', ')}`, Subcodes.notAuthorized));
  }
  return admitted;
}
