/**
 * The patient identity service: what the PIX Manager does to its cross-references, independent of
 * HL7. Exact evidence links (the same medical-field token; several local IDs asserted in one feed;
 * a merge) are applied; demographic likeness only ever becomes a proposal for review.
 */
import { hl7Date } from '../hl7v2/datetime.ts';
import type { Config } from '../kernel/config.ts';
import type { ReadTx, WriteTx } from '../store/types.ts';
import type { DomainDirectory } from './domainDirectory.ts';
import { IdentityError } from './errors.ts';
import { features, scoreMatch } from './matching.ts';
import { searchKeys } from './searchKeys.ts';
import { organizationPseudonym } from './token/issuer.ts';
import type { Demographics, Domain, PatientRecord, Person } from './types.ts';

export interface DomainIdentifier {
  domain: Domain;
  id: string;
}

export interface PatientFeed {
  /**
   * IDs whose records hold the demographics: local IDs in facility domains, and the regional ID
   * when a source feeds one (it is also in `regionalId`).
   */
  identifiers: DomainIdentifier[];
  token?: string;
  regionalId?: string;
  demographics: Demographics;
}

export interface MergeFeed extends PatientFeed {
  /** MRG-1: the IDs that stop existing on their own. Each merges into the survivor of its domain. */
  priors: PriorIdentifier[];
}

export interface PriorIdentifier extends DomainIdentifier {
  /** Where the request carried it (0-based), so that an error can point at it. */
  index?: number;
}

export interface FeedOutcome {
  personId: number;
  created: boolean;
  /** The set of cross-referenced identifiers of the person changed (ITI-10 is due). */
  crossReferenceChanged: boolean;
  proposals: number;
}

export type Resolution =
  | { kind: 'person'; person: Person }
  | { kind: 'unknown-identifier' };

const MAX_CHAIN = 16;

export class IdentityService {
  constructor(
    private readonly cfg: Config['identity'],
    readonly domains: DomainDirectory,
  ) {}

  /** ITI-8 A01/A04/A05/A08 (and SS-MIX2 ADT-00): create or update, linking by exact evidence. */
  async registerFeed(tx: WriteTx, feed: PatientFeed): Promise<FeedOutcome> {
    if (feed.identifiers.length === 0) throw new IdentityError('unknown-identifier', 'no patient identifier');
    const persons = new Map<number, Person>();
    const existing = new Map<string, PatientRecord>();
    for (const ident of feed.identifiers) {
      const rec = await this.activeRecord(tx, ident.domain.key, ident.id);
      if (rec) {
        existing.set(`${ident.domain.key}\0${ident.id}`, rec);
        await this.addPerson(tx, persons, rec.personId);
      }
    }
    if (feed.token) {
      const p = await tx.identity.personByToken(feed.token);
      if (p) await this.addPerson(tx, persons, p.id);
    }
    // A regional ID fed by a Patient Identity Source of the affinity domain (as XDS registries are
    // fed, ITI TF-2 3.8) is the person's: an unknown one creates the person under it.
    let regionalIsNew = false;
    if (feed.regionalId) {
      const p = await tx.identity.personByRegionalId(feed.regionalId);
      if (p) await this.addPerson(tx, persons, p.id);
      else regionalIsNew = true;
    }
    const tokens = new Set([...persons.values()].map((p) => p.token).filter((t): t is string => !!t));
    if (feed.token) tokens.add(feed.token);
    if (tokens.size > 1) {
      throw new IdentityError('conflicting-tokens', 'the identifiers belong to patients with different medical-field tokens');
    }

    let changed = false;
    let created = false;
    let survivor: Person;
    if (persons.size > 0 && regionalIsNew) {
      throw new IdentityError('unknown-identifier', 'the local IDs belong to a patient whose regional ID is another');
    }
    if (persons.size === 0) {
      survivor = await tx.identity.createPerson(feed.token ?? null, regionalIsNew ? { id: feed.regionalId! } : { prefix: this.cfg.regional.prefix });
      if (feed.token) await this.indexToken(tx, survivor.id, feed.token);
      created = true;
      changed = true;
    } else {
      const all = [...persons.values()].sort((a, b) => Number(!!b.token) - Number(!!a.token) || a.id - b.id);
      survivor = all[0];
      for (const other of all.slice(1)) {
        await tx.identity.closeProposalsBetween(survivor.id, other.id);
        await tx.identity.mergePerson(other.id, survivor.id);
        changed = true;
      }
      if (feed.token && !survivor.token) {
        await tx.identity.setPersonToken(survivor.id, feed.token);
        await this.indexToken(tx, survivor.id, feed.token);
        survivor = { ...survivor, token: feed.token };
        changed = true;
      }
    }

    const fields = this.recordFields(feed.demographics);
    const inserted: PatientRecord[] = [];
    for (const ident of feed.identifiers) {
      const rec = existing.get(`${ident.domain.key}\0${ident.id}`);
      if (rec) {
        await tx.identity.updateRecord(rec.id, fields);
      } else {
        inserted.push(await tx.identity.insertRecord({ domainKey: ident.domain.key, localId: ident.id, personId: survivor.id, ...fields }));
        changed = true;
      }
    }
    const proposals = inserted.length > 0 ? await this.proposeLinks(tx, survivor, feed.demographics, inserted[0]) : 0;
    return { personId: survivor.id, created, crossReferenceChanged: changed, proposals };
  }

  /** ITI-8 A40: the prior IDs (MRG-1) merge into the survivor (PID-3) and resolve to it from now on. */
  async mergeFeed(tx: WriteTx, feed: MergeFeed): Promise<FeedOutcome> {
    checkMergeWithinDomain(feed);
    const outcome = await this.registerFeed(tx, feed);
    const survivors = await Promise.all(
      feed.identifiers.map(async (i) => (await this.activeRecord(tx, i.domain.key, i.id))!),
    );
    const survivorPerson = (await tx.identity.person(outcome.personId))!;
    for (const prior of feed.priors) {
      const into = survivors.find((s) => s.domainKey === prior.domain.key)!;
      const rec = await tx.identity.record(prior.domain.key, prior.id);
      if (!rec) {
        // Never fed on its own: keep it as an alias so that it still resolves to the survivor.
        const alias = await tx.identity.insertRecord({
          domainKey: prior.domain.key,
          localId: prior.id,
          personId: outcome.personId,
          demographics: { fields: {} },
          birthDate: '',
          sex: '',
          keys: [],
        });
        await tx.identity.mergeRecord(alias.id, into.id);
        continue;
      }
      const active = await this.followRecord(tx, rec);
      if (active.id === into.id) continue;
      let personMerge: number | undefined;
      if (active.personId !== outcome.personId) {
        const other = (await tx.identity.person(active.personId))!;
        if (other.token && survivorPerson.token && other.token !== survivorPerson.token) {
          throw new IdentityError('conflicting-tokens', 'the merged patients have different medical-field tokens');
        }
        if (other.token && !survivorPerson.token) {
          await tx.identity.setPersonToken(outcome.personId, other.token);
          await this.indexToken(tx, outcome.personId, other.token);
        }
        await tx.identity.closeProposalsBetween(outcome.personId, other.id);
        personMerge = await tx.identity.mergePerson(other.id, outcome.personId);
      }
      await tx.identity.mergeRecord(active.id, into.id, personMerge);
    }
    return { ...outcome, crossReferenceChanged: true };
  }

  /**
   * Undoes the merge of a prior ID (ITI-8 A40, or the console's merge): the prior ID is active again
   * on the patient it belonged to, with its search keys; when its patient joined the survivor's in
   * that merge, that patient is separate again with the records it brought. Exactly what the merge
   * changed is undone (the store's merge history), in the caller's write: all or nothing. Refused
   * when the ID is not merged, or a later merge of the survivor depends on it (undo that first).
   * Returns the two persons (the survivor's, the prior ID's), whose cross-references changed.
   */
  async unmerge(tx: WriteTx, prior: DomainIdentifier, reason: string): Promise<{ survivorPersonId: number; priorPersonId: number }> {
    const rec = await tx.identity.record(prior.domain.key, prior.id);
    const merge = rec && rec.mergedInto !== null ? await tx.identity.lastMerge('record', rec.id) : undefined;
    if (!rec || !merge) throw new IdentityError('not-merged', `${prior.id} is not a merged identifier`);
    const into = (await tx.identity.recordById(merge.intoId))!;
    // A later merge of the survivor carried the prior ID along with it (rec.mergedInto moved on).
    if (into.mergedInto !== null || merge.intoId !== rec.mergedInto) throw new IdentityError('merged-since', `${into.localId} was merged since: unmerge it first`);
    const personMerge = merge.personMergeId !== null ? await tx.identity.mergeEvent(merge.personMergeId) : undefined;
    const joined = personMerge && personMerge.undoneAt === null ? personMerge : undefined;
    if (joined && (await tx.identity.person(joined.intoId))!.mergedInto !== null) {
      throw new IdentityError('merged-since', 'the surviving patient was merged since: unmerge that first');
    }
    const at = new Date().toISOString();
    await tx.identity.undoMerge(merge.id, at, reason);
    await tx.identity.updateRecord(rec.id, this.recordFields(rec.demographics));
    if (joined) await tx.identity.undoMerge(joined.id, at, reason);
    const back = (await tx.identity.recordById(rec.id))!;
    return { survivorPersonId: into.personId, priorPersonId: back.personId };
  }

  /**
   * Issue 16: the person a pseudonym of a pseudonym domain names, through the pseudonym index,
   * following merges. For the XCA gateways' pseudonym links only: `resolve` never takes a pseudonym,
   * so that PIX and PDQ do not join a pseudonym to the patient's other identifiers.
   */
  async resolvePseudonym(tx: ReadTx, domain: Domain, pseudonym: string): Promise<Resolution> {
    const person = domain.kind === 'pseudonym' ? await tx.identity.personByPseudonym(domain.key, pseudonym) : undefined;
    if (!person) return { kind: 'unknown-identifier' };
    return { kind: 'person', person: await this.followPerson(tx, person) };
  }

  /** Indexes the pseudonyms of a token given to a person, one per pseudonym domain. */
  private async indexToken(tx: WriteTx, personId: number, token: string): Promise<void> {
    for (const d of this.domains.pseudonyms) await tx.identity.setPseudonym(d.key, organizationPseudonym(d.secret, token), personId);
  }

  /**
   * At start: indexes the pseudonyms of every person with a token not yet indexed in a pseudonym
   * domain (a domain added to config since, or data older than the index). Returns how many.
   */
  async indexPseudonyms(tx: WriteTx, batch = 10_000): Promise<number> {
    let n = 0;
    for (const d of this.domains.pseudonyms) {
      for (let after = 0; ; ) {
        const rows = await tx.identity.personsWithoutPseudonym(d.key, after, batch);
        for (const r of rows) await tx.identity.setPseudonym(d.key, organizationPseudonym(d.secret, r.token), r.id);
        n += rows.length;
        if (rows.length < batch) break;
        after = rows[rows.length - 1].id;
      }
    }
    return n;
  }

  /** The person an identifier belongs to, following merges. */
  async resolve(tx: ReadTx, domain: Domain, id: string): Promise<Resolution> {
    let person: Person | undefined;
    if (domain.kind === 'regional') person = await tx.identity.personByRegionalId(id);
    else if (domain.kind === 'token') person = await tx.identity.personByToken(id);
    else if (domain.kind === 'local') {
      const rec = await tx.identity.record(domain.key, id);
      if (rec) person = await tx.identity.person((await this.followRecord(tx, rec)).personId);
    }
    if (!person) return { kind: 'unknown-identifier' };
    return { kind: 'person', person: await this.followPerson(tx, person) };
  }

  /**
   * Every identifier of a person this server may give out: its local IDs, its regional ID, its
   * organization pseudonyms, and the token itself only when config allows disclosure.
   */
  async identifiersOf(tx: ReadTx, person: Person): Promise<DomainIdentifier[]> {
    const out: DomainIdentifier[] = [];
    for (const rec of await tx.identity.recordsOfPerson(person.id)) {
      const domain = await tx.identity.domain(rec.domainKey);
      if (domain && domain.kind === 'local') out.push({ domain, id: rec.localId });
    }
    out.push({ domain: this.domains.regional, id: person.regionalId });
    if (person.token) {
      if (this.cfg.token.disclose) out.push({ domain: this.domains.token, id: person.token });
      for (const p of this.domains.pseudonyms) out.push({ domain: p, id: organizationPseudonym(p.secret, person.token) });
    }
    return out;
  }

  /**
   * Every identifier the person was ever known by, for finding what was recorded about them (the
   * patient access report): local IDs merged away too, those of persons merged into this one, their
   * regional IDs, the token and the organization pseudonyms. Internal: not for answers to requesters.
   */
  async identifiersEver(tx: ReadTx, person: Person): Promise<DomainIdentifier[]> {
    const out: DomainIdentifier[] = [];
    for (const rec of await tx.identity.recordsOfPersonEver(person.id)) {
      const domain = await tx.identity.domain(rec.domainKey);
      if (domain) out.push({ domain, id: rec.localId });
    }
    for (const p of [person, ...(await tx.identity.personsMergedInto(person.id))]) {
      out.push({ domain: this.domains.regional, id: p.regionalId });
      if (p.token) {
        out.push({ domain: this.domains.token, id: p.token });
        for (const d of this.domains.pseudonyms) out.push({ domain: d, id: organizationPseudonym(d.secret, p.token) });
      }
    }
    return out;
  }

  /** Accepting a proposal links the two persons: a reviewer, not a score, made that decision. */
  async acceptProposal(tx: WriteTx, id: number): Promise<FeedOutcome> {
    const p = await tx.identity.proposal(id);
    if (!p || p.status !== 'pending') throw new IdentityError('unknown-identifier', `no pending proposal ${id}`);
    const rec = await this.followRecord(tx, (await tx.identity.recordById(p.recordId))!);
    const a = await this.followPerson(tx, (await tx.identity.person(rec.personId))!);
    const b = await this.followPerson(tx, (await tx.identity.person(p.candidatePersonId))!);
    await tx.identity.decideProposal(id, 'accepted');
    if (a.id === b.id) return { personId: a.id, created: false, crossReferenceChanged: false, proposals: 0 };
    if (a.token && b.token && a.token !== b.token) {
      throw new IdentityError('conflicting-tokens', 'the two patients have different medical-field tokens');
    }
    const [survivor, other] = a.token || (!b.token && a.id < b.id) ? [a, b] : [b, a];
    if (other.token && !survivor.token) {
      await tx.identity.setPersonToken(survivor.id, other.token);
      await this.indexToken(tx, survivor.id, other.token);
    }
    await tx.identity.closeProposalsBetween(survivor.id, other.id);
    await tx.identity.mergePerson(other.id, survivor.id);
    return { personId: survivor.id, created: false, crossReferenceChanged: true, proposals: 0 };
  }

  async rejectProposal(tx: WriteTx, id: number): Promise<void> {
    const p = await tx.identity.proposal(id);
    if (!p || p.status !== 'pending') throw new IdentityError('unknown-identifier', `no pending proposal ${id}`);
    await tx.identity.decideProposal(id, 'rejected');
  }

  async followPerson(tx: ReadTx, p: Person): Promise<Person> {
    let cur = p;
    for (let i = 0; i < MAX_CHAIN && cur.mergedInto !== null; i++) cur = (await tx.identity.person(cur.mergedInto))!;
    return cur;
  }

  private async followRecord(tx: ReadTx, r: PatientRecord): Promise<PatientRecord> {
    let cur = r;
    for (let i = 0; i < MAX_CHAIN && cur.mergedInto !== null; i++) cur = (await tx.identity.recordById(cur.mergedInto))!;
    return cur;
  }

  private async activeRecord(tx: ReadTx, domainKey: string, id: string): Promise<PatientRecord | undefined> {
    const rec = await tx.identity.record(domainKey, id);
    return rec && this.followRecord(tx, rec);
  }

  private async addPerson(tx: ReadTx, persons: Map<number, Person>, id: number): Promise<void> {
    const p = await this.followPerson(tx, (await tx.identity.person(id))!);
    persons.set(p.id, p);
  }

  private recordFields(d: Demographics) {
    return {
      demographics: d,
      birthDate: hl7Date(d.fields[7]?.[0]?.[0]?.[0] ?? ''),
      sex: d.fields[8]?.[0]?.[0]?.[0] ?? '',
      keys: searchKeys(d),
    };
  }

  /**
   * Records of other persons born the same day with a name in common (kanji or kana, normalized),
   * scored; those above the threshold become proposals. Without a common name the score cannot
   * pass 0.5 (matching.ts), below any sensible threshold.
   */
  private async proposeLinks(tx: WriteTx, person: Person, d: Demographics, record: PatientRecord): Promise<number> {
    const mine = features(d);
    if (!mine.birthDate) return 0;
    const names = [...mine.kanaNames, ...mine.otherNames];
    if (names.length === 0) return 0;
    const candidates = await tx.identity.matchCandidates(mine.birthDate, names, person.id, this.cfg.matching.maxCandidates);
    const best = new Map<number, { score: number; reasons: string[] }>();
    for (const c of candidates) {
      const s = scoreMatch(mine, features(c.demographics));
      if (s.score < this.cfg.matching.proposeThreshold) continue;
      const prev = best.get(c.personId);
      if (!prev || prev.score < s.score) best.set(c.personId, s);
    }
    let n = 0;
    for (const [candidatePersonId, s] of best) {
      const other = await tx.identity.person(candidatePersonId);
      if (other?.token && person.token && other.token !== person.token) continue;
      if (await tx.identity.addProposal({ recordId: record.id, candidatePersonId, score: s.score, reasons: s.reasons })) n++;
    }
    return n;
  }
}

/**
 * A merge happens within one patient identifier domain: the prior ID (MRG-1) and a surviving ID
 * (PID-3) of the same assigning authority (ITI TF-2 3.8.4.2, A40 "merge patient - patient identifier
 * list" within the source's domain). IDs of two domains are linked only by the medical-field token or
 * by a reviewed proposal, never by a feed asserting it; and an ID cannot be merged into itself.
 */
function checkMergeWithinDomain(feed: MergeFeed): void {
  feed.priors.forEach((prior, i) => {
    const index = prior.index ?? i;
    const sameDomain = feed.identifiers.filter((s) => s.domain.key === prior.domain.key);
    if (sameDomain.length === 0) {
      throw new IdentityError('cross-domain-merge', 'the prior identifier is in no assigning authority of the surviving identifiers', index);
    }
    if (sameDomain.some((s) => s.id === prior.id)) {
      throw new IdentityError('self-merge', 'the prior identifier is the surviving identifier', index);
    }
  });
}
