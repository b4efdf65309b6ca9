/**
 * Consent and disaster input from outside (the admin API's JSON, the desk CLI's options) checked and
 * turned into the model's terms. Facilities are named by namespace or OID (identity.domains); codes
 * as {code, codingScheme} or "code^^codingScheme" (the form of ITI-18 code parameters); times as ISO
 * 8601. Anything else is a ConsentInputError with a message fit for the person who sent it.
 */
import { PARTICIPATIONS, emptyWithheld, type Code, type ConsentTerms, type Participation, type Withheld } from './model.ts';

export class ConsentInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsentInputError';
  }
}

type Resolve = (facility: string) => string | undefined;

const CODE_KINDS = ['classCodes', 'typeCodes', 'confidentialityCodes', 'practiceSettingCodes'] as const;
const HCID = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;

const fail = (m: string): never => {
  throw new ConsentInputError(m);
};

function object(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where} must be a JSON object`);
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, keys: readonly string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length) fail(`${where}: unknown ${extra.length > 1 ? 'fields' : 'field'} ${extra.join(', ')} (allowed: ${keys.join(', ')})`);
}

function strings(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) fail(`${where} must be a list of non-empty strings`);
  return (v as string[]).map((s) => s.trim());
}

export function parseCode(v: unknown, where: string): Code {
  if (typeof v === 'string') {
    const i = v.indexOf('^^');
    if (i <= 0 || i + 2 >= v.length) fail(`${where}: "${v}" is not code^^codingScheme`);
    return { code: v.slice(0, i), codingScheme: v.slice(i + 2) };
  }
  const o = object(v, where);
  onlyKeys(o, ['code', 'codingScheme'], where);
  if (typeof o.code !== 'string' || !o.code || typeof o.codingScheme !== 'string' || !o.codingScheme) fail(`${where} needs code and codingScheme`);
  return { code: o.code as string, codingScheme: o.codingScheme as string };
}

function codes(v: unknown, where: string): Code[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(`${where} must be a list of codes`);
  return (v as unknown[]).map((c, i) => parseCode(c, `${where}[${i}]`));
}

function facilities(v: unknown, where: string, resolve: Resolve): string[] {
  return strings(v, where).map((f) => resolve(f) ?? fail(`${where}: ${f} is not a facility of the network (identity.domains)`));
}

export function parseInstant(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) || Number.isNaN(Date.parse(v))) {
    return fail(`${where} must be an ISO 8601 date or date-time with its zone, e.g. 2026-04-01 or 2026-04-01T09:00:00+09:00`);
  }
  return new Date(v).toISOString();
}

/** What to withhold: {classCodes, typeCodes, confidentialityCodes, practiceSettingCodes, facilities, documents}. */
export function parseWithheld(v: unknown, resolve: Resolve, where = 'withhold', requireOne = false): Withheld {
  const o = object(v, where);
  onlyKeys(o, [...CODE_KINDS, 'facilities', 'documents'], where);
  const w = emptyWithheld();
  for (const k of CODE_KINDS) w[k] = codes(o[k], `${where}.${k}`);
  w.facilities = facilities(o.facilities, `${where}.facilities`, resolve);
  w.documents = strings(o.documents, `${where}.documents`);
  if (requireOne && Object.values(w).every((l) => l.length === 0)) fail(`${where}: name at least one thing to withhold`);
  return w;
}

/** A whole consent: {participation, facilities, peerRegions, withhold, validFrom, validUntil}. */
export function parseTerms(v: unknown, resolve: Resolve): ConsentTerms {
  const o = object(v, 'consent');
  onlyKeys(o, ['participation', 'facilities', 'peerRegions', 'withhold', 'validFrom', 'validUntil'], 'consent');
  if (!PARTICIPATIONS.includes(o.participation as Participation)) fail(`consent.participation must be one of ${PARTICIPATIONS.join(', ')}`);
  const peerRegions = strings(o.peerRegions, 'consent.peerRegions');
  for (const p of peerRegions) if (!HCID.test(p)) fail(`consent.peerRegions: ${p} is not a homeCommunityId (urn:oid:...)`);
  const validFrom = parseInstant(o.validFrom, 'consent.validFrom');
  const validUntil = parseInstant(o.validUntil, 'consent.validUntil');
  if (validFrom && validUntil && validUntil <= validFrom) fail('consent.validUntil must be after consent.validFrom');
  return {
    participation: o.participation as Participation,
    facilities: facilities(o.facilities, 'consent.facilities', resolve),
    peerRegions,
    withheld: o.withhold === undefined ? emptyWithheld() : parseWithheld(o.withhold, resolve, 'consent.withhold'),
    ...(validFrom ? { validFrom } : {}),
    ...(validUntil ? { validUntil } : {}),
  };
}

/** A disaster to declare: {description, facilities (the area), start?, end?}. */
export function parseDisaster(v: unknown, resolve: Resolve): { description: string; facilities: string[]; start?: string; end?: string } {
  const o = object(v, 'disaster');
  onlyKeys(o, ['description', 'facilities', 'start', 'end'], 'disaster');
  if (typeof o.description !== 'string' || !o.description.trim()) fail('disaster.description is required');
  const area = facilities(o.facilities, 'disaster.facilities', resolve);
  if (area.length === 0) fail('disaster.facilities: name the facilities of the area');
  const start = parseInstant(o.start, 'disaster.start');
  const end = parseInstant(o.end, 'disaster.end');
  return { description: (o.description as string).trim(), facilities: area, ...(start ? { start } : {}), ...(end ? { end } : {}) };
}
