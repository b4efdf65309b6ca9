/**
 * The decision itself, pure: from a person's consent (or its absence), the region's default, who is
 * asking and what break-glass they may use, the view of that person for one request. The consent
 * service (service.ts) loads what this needs from the store.
 *
 * Rules, in order:
 * 1. A node acting for every facility (the operator) sees everything.
 * 2. The facility that made a document (StoredEntry.facility) always sees it.
 * 3. The effective consent: none recorded -> the region's default (opt-in: not shared; opt-out:
 *    shared, unlimited). A record revoked or outside its validity period -> not shared. Otherwise
 *    opted-out -> not shared; opted-in -> shared; not-enrolled -> the region's default.
 * 4. Shared to the requester: a `gateway` node (a peer region) when its homeCommunityId (the XUA
 *    assertion's, else the node's) is among the consent's peer regions; the network's own staff (a
 *    `network` node: the console's operators, of no facility) when the consent shares with the whole
 *    network (no list of facilities); any other node when one of its facilities is among the
 *    consent's facilities (empty: every facility). The network's staff with the role `admin` (who
 *    link, merge and record consent) may find and name every patient, never see more documents.
 * 5. Each document shared to the requester is checked against what is withheld (classCode, typeCode,
 *    confidentialityCode, practiceSettingCode as code + codingScheme; its facility; its uniqueId).
 * 6. Break-glass (see breakGlassOf) sees what rules 3-5 hide; the view records that it was used.
 */
import { actsFor, type RequestContext } from '../kernel/requestContext.ts';
import type { StoredEntry } from '../xds/registry/entries.ts';
import { DocumentEntrySchemes } from '../xds/registry/schemes.ts';
import type { BreakGlass, PatientView } from './decision.ts';
import { codeKey, consentInForce, type Consent, type Disaster } from './model.ts';

export interface ViewInput {
  personId: number;
  ctx: RequestContext;
  /** The person's consent record, if any (the survivor's, or the latest of persons merged into it). */
  consent?: Consent;
  participationDefault: 'opt-in' | 'opt-out';
  now: string;
  /** One of the requester's facilities holds a record of the person (asked only when it matters). */
  holdsRecord: () => Promise<boolean>;
  /** The break-glass the request may use, if any. */
  breakGlass?: BreakGlass;
}

/** The view of a requester that sees everything (consent off, or the operator). */
export function unrestrictedView(personId: number): PatientView {
  return { personId, patientVisible: true, document: () => true };
}

/** Whether the consent shares the patient's data with the network at all (rule 3). */
export function sharedAtAll(consent: Consent | undefined, participationDefault: 'opt-in' | 'opt-out', now: string): boolean {
  if (!consent) return participationDefault === 'opt-out';
  if (!consentInForce(consent, now)) return false;
  if (consent.participation === 'opted-out') return false;
  if (consent.participation === 'opted-in') return true;
  return participationDefault === 'opt-out';
}

/** Whether a shared consent covers this requester (rule 4). */
export function coversRequester(consent: Consent | undefined, ctx: RequestContext): boolean {
  const node = ctx.node;
  if (!node) return false;
  if (node.roles.has('gateway')) {
    // The community the node's certificate stands for, and the user's (XUA homeCommunityId) when the
    // assertion names one: both must be the community the consent names. A user of another community
    // is not covered, and a user's claim (an assertion conveyed or replayed across a link) never makes
    // one community's gateway pass for another.
    const claimed = ctx.user?.homeCommunityId;
    if (node.homeCommunityId && claimed && claimed !== node.homeCommunityId) return false;
    const community = node.homeCommunityId ?? claimed;
    return !!community && !!consent && consent.peerRegions.includes(community);
  }
  if (node.facilities === '*') return true;
  if (node.network) return !consent || consent.facilities.length === 0;
  if (node.facilities.length === 0) return false;
  if (!consent || consent.facilities.length === 0) return true;
  return node.facilities.some((f) => consent.facilities.includes(f));
}

const WITHHELD_SCHEMES: Record<string, 'classCodes' | 'typeCodes' | 'confidentialityCodes' | 'practiceSettingCodes'> = {
  [DocumentEntrySchemes.classCode]: 'classCodes',
  [DocumentEntrySchemes.typeCode]: 'typeCodes',
  [DocumentEntrySchemes.confidentialityCode]: 'confidentialityCodes',
  [DocumentEntrySchemes.practiceSettingCode]: 'practiceSettingCodes',
};

/** The test of rule 5, prepared once per view: true when the entry is withheld. */
export function withholdTest(consent: Consent | undefined): (e: StoredEntry) => boolean {
  const w = consent?.withheld;
  if (!w) return () => false;
  const codes = new Set([...w.classCodes, ...w.typeCodes, ...w.confidentialityCodes, ...w.practiceSettingCodes].map(codeKey));
  const facilities = new Set(w.facilities);
  const documents = new Set(w.documents);
  if (codes.size === 0 && facilities.size === 0 && documents.size === 0) return () => false;
  const kinds = new Map<string, Set<string>>();
  for (const k of ['classCodes', 'typeCodes', 'confidentialityCodes', 'practiceSettingCodes'] as const) kinds.set(k, new Set(w[k].map(codeKey)));
  return (e) => {
    if (e.facility && facilities.has(e.facility)) return true;
    if (e.kind !== 'DocumentEntry') return false;
    if (e.uniqueId && documents.has(e.uniqueId)) return true;
    if (codes.size === 0) return false;
    for (const c of e.object.classifications) {
      const kind = c.classificationScheme && WITHHELD_SCHEMES[c.classificationScheme];
      if (!kind) continue;
      const scheme = c.slots.find((s) => s.name === 'codingScheme')?.values[0] ?? '';
      if (kinds.get(kind)!.has(codeKey({ code: c.nodeRepresentation ?? '', codingScheme: scheme }))) return true;
    }
    return false;
  };
}

class ConsentView implements PatientView {
  breakGlassUsed?: BreakGlass;

  constructor(
    readonly personId: number,
    readonly patientVisible: boolean,
    private readonly ctx: RequestContext,
    /** The consent lets the requester see this entry (rules 3-5). */
    private readonly allowed: (e: StoredEntry) => boolean,
    private readonly glass: BreakGlass | undefined,
    visibleOnlyByGlass: boolean,
  ) {
    if (visibleOnlyByGlass) this.breakGlassUsed = glass;
  }

  document(e: StoredEntry): boolean {
    if (e.facility && actsFor(this.ctx, e.facility)) return true;
    if (this.allowed(e)) return true;
    if (!this.glass) return false;
    this.breakGlassUsed = this.glass;
    return true;
  }
}

export async function decideView(i: ViewInput): Promise<PatientView> {
  if (i.ctx.node?.facilities === '*') return unrestrictedView(i.personId);
  const shared = sharedAtAll(i.consent, i.participationDefault, i.now) && coversRequester(i.consent, i.ctx);
  const withheld = withholdTest(shared ? i.consent : undefined);
  const allowed = shared ? (e: StoredEntry) => !withheld(e) : () => false;
  const administers = !!i.ctx.node?.network && i.ctx.node.roles.has('admin');
  const visible = shared || administers || (await i.holdsRecord());
  return new ConsentView(i.personId, visible || !!i.breakGlass, i.ctx, allowed, i.breakGlass, !visible && !!i.breakGlass);
}

/**
 * The break-glass a request may use: a purpose of use among config's emergency purposes from a node
 * whose `breakGlass` names that purpose or EMERGENCY (the emergency family: every configured
 * emergency purpose); or a disaster purpose from a node whose `breakGlass` names it or DISASTER,
 * while a declared disaster whose area holds one of the node's facilities is in force.
 */
export function breakGlassOf(
  ctx: RequestContext,
  cfg: { emergencyPurposes: readonly string[]; disasterPurposes: readonly string[] },
  disastersInForce: () => Promise<Disaster[]>,
): Promise<BreakGlass | undefined> | undefined {
  const purpose = ctx.purposeOfUse?.code.trim().toUpperCase();
  const node = ctx.node;
  if (!purpose || !node || node.breakGlass.size === 0) return undefined;
  const allows = (family: string) => [...node.breakGlass].some((b) => b.toUpperCase() === purpose || b.toUpperCase() === family);
  const upper = (l: readonly string[]) => l.map((p) => p.toUpperCase());
  if (upper(cfg.emergencyPurposes).includes(purpose) && allows('EMERGENCY')) return Promise.resolve({ kind: 'emergency', purposeOfUse: purpose });
  if (upper(cfg.disasterPurposes).includes(purpose) && allows('DISASTER')) {
    const facilities = node.facilities;
    if (facilities === '*' || facilities.length === 0) return undefined;
    return disastersInForce().then((list) => {
      const d = list.find((x) => x.facilities.some((f) => facilities.includes(f)));
      return d ? { kind: 'disaster' as const, purposeOfUse: purpose, disasterId: d.id } : undefined;
    });
  }
  return undefined;
}
