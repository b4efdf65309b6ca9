/**
 * The WHERE clause of an ITI-81 audit search (AuditSearch), with `?` parameters, for both engines'
 * audit tables (sqlite/, postgres/): the same tables and columns, the same SQL.
 */
import { codeEquals, searchValue } from './auditValues.ts';
import type { AuditPatientKey, AuditSearch } from './types.ts';

/** The kinds of an event's agent search keys (audit_agent_set_members.kind). */
export type AgentKeyKind = 'agent' | 'address';

/** SQL for one criterion: alternatives joined with OR. */
function anyOf<T>(values: T[], one: (v: T) => string, args: unknown[], push: (v: T) => unknown[]): string {
  const parts = values.map((v) => {
    args.push(...push(v).map(searchValue));
    return one(v);
  });
  return `(${parts.join(' OR ')})`;
}

/** The condition on audit_event_patients of one patient key (its value, and its authority when it names one). */
export function patientMatch(k: AuditPatientKey, args: unknown[]): string {
  const auth: string[] = [];
  args.push(searchValue(k.value));
  if (k.oid) {
    auth.push('authority_oid = ?');
    args.push(searchValue(k.oid));
  }
  if (k.namespace) {
    auth.push('authority_namespace = ?');
    args.push(searchValue(k.namespace));
  }
  return `id_value = ?${auth.length ? ` AND (${auth.join(' OR ')})` : ''}`;
}

const agentSetMatch = (kind: AgentKeyKind, values: string[], args: unknown[]): string =>
  `e.agent_set IN (SELECT set_id FROM audit_agent_set_members WHERE kind = '${kind}' AND ${anyOf(values, () => 'value = ?', args, (v) => [v])})`;

/** The conditions of the search, ANDed by the caller; their values pushed on `args` in order. */
export function auditSearchWhere(q: AuditSearch, args: unknown[]): string[] {
  const where: string[] = ["e.status <> 'unparsed'"];
  for (const t of q.time ?? []) {
    where.push(`e.event_time ${{ ge: '>=', gt: '>', le: '<=', lt: '<' }[t.op]} ?`);
    args.push(searchValue(t.instant));
  }
  const simple = (column: string, lists: unknown[][] | undefined) => {
    for (const list of lists ?? []) where.push(anyOf(list, () => `${column} = ?`, args, (v) => [v]));
  };
  for (const list of q.eventId ?? []) where.push(anyOf(list, () => codeEquals('e.event_id'), args, (v) => [v, v]));
  simple('e.action', q.action);
  simple('e.outcome', q.outcome);
  simple('e.source_id', q.sourceId);
  for (const list of q.eventTypeCode ?? []) {
    where.push(
      anyOf(list, () => `(${codeEquals('e.event_type_code')} OR e.id IN (SELECT event_id FROM audit_event_types WHERE code = ?))`, args, (v) => [v, v, v]),
    );
  }
  for (const list of q.address ?? []) where.push(agentSetMatch('address', list, args));
  for (const list of q.agent ?? []) where.push(agentSetMatch('agent', list, args));
  for (const list of q.patient ?? []) {
    const parts = list.map((k) => patientMatch(k, args));
    where.push(`e.id IN (SELECT event_id FROM audit_event_patients WHERE ${parts.map((p) => `(${p})`).join(' OR ')})`);
  }
  // Objects: patients (type 1, role 1) are in audit_event_patients, the others in audit_event_objects.
  for (const list of q.objectId ?? []) {
    const a = anyOf(list, () => 'object_id = ?', args, (v) => [v]);
    const b = anyOf(list, () => 'patient_id = ?', args, (v) => [v]);
    where.push(`(e.id IN (SELECT event_id FROM audit_event_objects WHERE ${a}) OR e.id IN (SELECT event_id FROM audit_event_patients WHERE ${b}))`);
  }
  for (const [column, lists] of [['type_code', q.objectType], ['role_code', q.objectRole]] as const) {
    for (const list of lists ?? []) {
      const objects = `e.id IN (SELECT event_id FROM audit_event_objects WHERE ${anyOf(list, () => `${column} = ?`, args, (v) => [v])})`;
      where.push(list.includes(1) ? `(${objects} OR e.id IN (SELECT event_id FROM audit_event_patients))` : objects);
    }
  }
  return where;
}
