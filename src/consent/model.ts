/**
 * A patient's consent to the regional network, as the consent service decides on it and the store
 * keeps it: one current record per person (the survivor of any merge) and the history of every
 * change. Pure data and the rules that read it; nothing here touches the store or a protocol.
 */

/**
 * not-enrolled: the patient has not decided (the region's default applies: under opt-in not shared,
 * under opt-out shared); opted-in: shared under the record's limits; opted-out: not shared.
 */
export type Participation = 'not-enrolled' | 'opted-in' | 'opted-out';

export const PARTICIPATIONS: readonly Participation[] = ['not-enrolled', 'opted-in', 'opted-out'];

/** An XDS code (ebRIM Classification): compared as code and codingScheme together. */
export interface Code {
  code: string;
  codingScheme: string;
}

/** What the patient withholds from every facility but the one that made the document. */
export interface Withheld {
  classCodes: Code[];
  typeCodes: Code[];
  confidentialityCodes: Code[];
  /** A department, such as psychiatry. */
  practiceSettingCodes: Code[];
  /** Domain keys (identity.domains) of facilities whose every document is withheld. */
  facilities: string[];
  /** DocumentEntry uniqueIds. */
  documents: string[];
}

export const WITHHELD_KINDS = ['classCodes', 'typeCodes', 'confidentialityCodes', 'practiceSettingCodes', 'facilities', 'documents'] as const;
export type WithheldKind = (typeof WITHHELD_KINDS)[number];

/**
 * Where a change came from: a BPPC consent document (its uniqueId), the admin API (and the operators'
 * console), the CLI at a desk, or the patient themselves on their own page of the console (portal).
 */
export type ConsentSourceKind = 'bppc' | 'admin' | 'desk' | 'portal';

export interface ConsentSource {
  kind: ConsentSourceKind;
  /** For bppc: the DocumentEntry uniqueId of the acknowledgement. */
  document?: string;
}

/** The content of a consent, as set by one change. */
export interface ConsentTerms {
  participation: Participation;
  /** Domain keys of the facilities that may see; empty: every facility of the network. */
  facilities: string[];
  /** homeCommunityIds (urn:oid:...) of peer regions that may see; empty: none. */
  peerRegions: string[];
  withheld: Withheld;
  /** Validity period, ISO 8601 instants; absent: open. */
  validFrom?: string;
  validUntil?: string;
}

export interface Consent extends ConsentTerms {
  personId: number;
  /** When the consent was revoked (withdrawn); a later `set` makes a new, unrevoked consent. */
  revokedAt?: string;
  /** Counts changes, from 1. */
  version: number;
  updatedAt: string;
  /** The source of the last change. */
  source: ConsentSource;
}

export type ConsentAction = 'set' | 'withhold' | 'revoke' | 'bppc';

/** One entry of a consent's history: who changed what, when, from which source, and the consent after it. */
export interface ConsentChange {
  id: number;
  personId: number;
  at: string;
  /** The node and/or user name of the requester, or the operator at the desk. */
  who: string;
  source: ConsentSource;
  action: ConsentAction;
  /** What changed, in words (one line per changed field). */
  changes: string[];
  /** The consent as it stood after the change. */
  consent: Consent;
}

export type NewConsentChange = Omit<ConsentChange, 'id'>;

/** A disaster an administrator declared: purpose DISASTER sees what consent withholds inside its area and window. */
export interface Disaster {
  id: number;
  description: string;
  /** Domain keys of the facilities of the area. */
  facilities: string[];
  start: string;
  /** End of the declared window; absent: until ended. */
  end?: string;
  /** When an administrator ended it. */
  endedAt?: string;
  declaredBy: string;
  declaredAt: string;
}

export type NewDisaster = Omit<Disaster, 'id' | 'endedAt'>;

export const emptyWithheld = (): Withheld => ({
  classCodes: [],
  typeCodes: [],
  confidentialityCodes: [],
  practiceSettingCodes: [],
  facilities: [],
  documents: [],
});

export const emptyTerms = (): ConsentTerms => ({ participation: 'not-enrolled', facilities: [], peerRegions: [], withheld: emptyWithheld() });

export const codeKey = (c: Code): string => `${c.code}^^${c.codingScheme}`;

/** True when the disaster is in force at `now`. */
export function disasterActive(d: Disaster, now: string): boolean {
  if (d.endedAt && d.endedAt <= now) return false;
  return d.start <= now && (!d.end || now < d.end);
}

/** True when the record is neither revoked nor outside its validity period at `now`. */
export function consentInForce(c: Consent, now: string): boolean {
  if (c.revokedAt) return false;
  if (c.validFrom && now < c.validFrom) return false;
  if (c.validUntil && now >= c.validUntil) return false;
  return true;
}

/** Adds to what is withheld, keeping each item once. */
export function addWithheld(w: Withheld, more: Partial<Withheld>): Withheld {
  const codes = (a: Code[], b: Code[] = []) => {
    const seen = new Set(a.map(codeKey));
    return [...a, ...b.filter((c) => !seen.has(codeKey(c)) && seen.add(codeKey(c)))];
  };
  const list = (a: string[], b: string[] = []) => [...new Set([...a, ...b])];
  return {
    classCodes: codes(w.classCodes, more.classCodes),
    typeCodes: codes(w.typeCodes, more.typeCodes),
    confidentialityCodes: codes(w.confidentialityCodes, more.confidentialityCodes),
    practiceSettingCodes: codes(w.practiceSettingCodes, more.practiceSettingCodes),
    facilities: list(w.facilities, more.facilities),
    documents: list(w.documents, more.documents),
  };
}

/** The changed fields between two states of a consent, in words, for the history. */
export function describeChanges(before: ConsentTerms & { revokedAt?: string }, after: ConsentTerms & { revokedAt?: string }): string[] {
  const out: string[] = [];
  const show = (v: unknown) => (Array.isArray(v) ? `[${v.map((x) => (typeof x === 'object' ? codeKey(x as Code) : String(x))).join(', ')}]` : String(v ?? '-'));
  const cmp = (name: string, a: unknown, b: unknown) => {
    if (show(a) !== show(b)) out.push(`${name}: ${show(a)} -> ${show(b)}`);
  };
  cmp('participation', before.participation, after.participation);
  cmp('facilities', before.facilities, after.facilities);
  cmp('peerRegions', before.peerRegions, after.peerRegions);
  for (const k of WITHHELD_KINDS) cmp(`withheld.${k}`, before.withheld[k], after.withheld[k]);
  cmp('validFrom', before.validFrom, after.validFrom);
  cmp('validUntil', before.validUntil, after.validUntil);
  cmp('revokedAt', before.revokedAt, after.revokedAt);
  return out;
}

/**
 * A notification to a patient (issue 19): an access to their records under break-glass (emergency or
 * disaster purpose of use), kept until read. `body` is the notification as recordBreakGlass made it.
 */
export interface PatientNotification {
  id: number;
  personId: number;
  at: string;
  kind: string;
  body: Record<string, unknown>;
  readAt: string | null;
}

export type NewPatientNotification = Omit<PatientNotification, 'id' | 'readAt'>;
