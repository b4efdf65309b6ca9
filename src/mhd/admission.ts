/**
 * Who may call an MHD transaction, decided before it runs, as the SOAP edge decides for XDS
 * (soap/admission.ts): the peer must be a configured node holding one of the roles the transaction
 * names (transactions.ts). A refusal is 403 with an OperationOutcome (issue code forbidden), audited
 * as a Security Alert and as the transaction's own failure.
 */
import type { AuditService } from '../audit/auditService.ts';
import { authorizationFailure } from '../audit/securityAlert.ts';
import type { Logger } from '../kernel/logger.ts';
import { requesterName, type RequestContext } from '../kernel/requestContext.ts';
import { MhdError } from './outcome.ts';
import type { MhdTransactionDescriptor } from './transactions.ts';

/** The refusal of a requester, or undefined when it may call the transaction. */
export function refusalOf(tx: MhdTransactionDescriptor, ctx: RequestContext): string | undefined {
  const node = ctx.node;
  if (!node) return `${tx.id} refused: ${requesterName(ctx)} is not a configured node`;
  if (!tx.roles.some((r) => node.roles.has(r))) return `${tx.id} refused: node ${node.name} has none of the roles ${tx.roles.join(', ')}`;
  return undefined;
}

/** Throws the 403 MhdError after auditing the Security Alert; `failed` audits the transaction's failure. */
export async function admit(
  deps: { audit: AuditService; log: Logger },
  tx: MhdTransactionDescriptor,
  ctx: RequestContext,
  endpoint: string,
  failed: (reason: string) => Promise<void>,
): Promise<void> {
  const reason = refusalOf(tx, ctx);
  if (reason === undefined) return;
  try {
    await deps.audit.record(authorizationFailure(deps.audit, ctx, { transaction: tx.id, endpoint, reason }));
    await failed(reason);
  } catch (e) {
    deps.log.error('mhd.refusal-audit-failed', { transaction: tx.id, error: e instanceof Error ? e.message : String(e) });
  }
  throw new MhdError(403, [{ code: 'forbidden', diagnostics: reason }]);
}
