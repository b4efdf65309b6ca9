/** Patients, records and link proposals as both engines store them (sqlite/, postgres/): the rows and their domain objects. */
import type { LinkProposal, MergeEvent, PatientRecord, Person } from '../../identity/types.ts';

export interface RecordRow {
  id: number;
  domain_key: string;
  local_id: string;
  person_id: number;
  merged_into: number | null;
  demographics: string;
  updated_at: string;
}

export interface PersonRow {
  id: number;
  token: string | null;
  regional_id: string;
  merged_into: number | null;
}

export interface ProposalRow {
  id: number;
  record_id: number;
  candidate_person_id: number;
  score: number;
  reasons: string;
  status: LinkProposal['status'];
  created_at: string;
  decided_at: string | null;
}

export const toRecord = (r: RecordRow): PatientRecord => ({
  id: r.id,
  domainKey: r.domain_key,
  localId: r.local_id,
  personId: r.person_id,
  mergedInto: r.merged_into,
  demographics: JSON.parse(r.demographics),
  updatedAt: r.updated_at,
});

export const toPerson = (p: PersonRow): Person => ({ id: p.id, token: p.token, regionalId: p.regional_id, mergedInto: p.merged_into });

export const toProposal = (p: ProposalRow): LinkProposal => ({
  id: p.id,
  recordId: p.record_id,
  candidatePersonId: p.candidate_person_id,
  score: p.score,
  reasons: JSON.parse(p.reasons),
  status: p.status,
  createdAt: p.created_at,
  decidedAt: p.decided_at,
});

export interface MergeRow {
  id: number;
  kind: string;
  from_id: number;
  into_id: number;
  moved: string;
  redirected: string;
  prior_person_id: number | null;
  person_merge_id: number | null;
  merged_at: string;
  undone_at: string | null;
  undo_reason: string | null;
}

export const toMergeEvent = (r: MergeRow): MergeEvent => ({
  id: r.id,
  kind: r.kind as MergeEvent['kind'],
  fromId: r.from_id,
  intoId: r.into_id,
  moved: JSON.parse(r.moved) as number[],
  redirected: JSON.parse(r.redirected) as number[],
  priorPersonId: r.prior_person_id,
  personMergeId: r.person_merge_id,
  mergedAt: r.merged_at,
  undoneAt: r.undone_at,
  undoReason: r.undo_reason,
});

/** The link proposals query of both engines (`?` placeholders): by status if given, in id order, a page after an id. */
export function proposalsQuery(status?: LinkProposal['status'], page?: { after?: number; limit: number }): { sql: string; args: (string | number)[] } {
  const where = ['id > ?'];
  const args: (string | number)[] = [page?.after ?? 0];
  if (status) {
    where.push('status = ?');
    args.push(status);
  }
  if (page) args.push(page.limit);
  return { sql: `SELECT * FROM link_proposals WHERE ${where.join(' AND ')} ORDER BY id${page ? ' LIMIT ?' : ''}`, args };
}
