/**
 * A patient as a PDQm Patient resource (FHIR R4 Patient; names as JP Core writes them): built from
 * the record's demographics as received in PID (identity/types.ts) and the person's identifiers.
 *   PID-5 each repetition a HumanName; XPN-8 (HL7 table 4000) I ideographic, P phonetic, A
 *     alphabetic as the iso21090-EN-representation extension IDE, SYL, ABC (JP Core: the kanji
 *     name IDE, the kana name SYL); XPN-7 L official, D usual, M maiden, N nickname.
 *   PID-7 birthDate; PID-8 gender; PID-13/14 telecom (home, work); PID-11 address, XAD-8 (other
 *     geographic designation, where JAHIS writes the whole Japanese address) as Address.text.
 */
import type { Address, ContactPoint, Extension, HumanName, Patient } from 'fhir/r4.js';
import { hl7Date } from '../../hl7v2/datetime.ts';
import type { DomainIdentifier } from '../../identity/service.ts';
import type { Demographics } from '../../identity/types.ts';
import { systemOf } from '../../pix/codec/fhirIdentifier.ts';
import { patientResourceId } from '../../fhir/patientId.ts';

export const EN_REPRESENTATION = 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation';
export const PDQM_PATIENT_PROFILE = 'https://profiles.ihe.net/ITI/PDQm/StructureDefinition/IHE.PDQm.Patient';

const REPRESENTATION: Record<string, string> = { I: 'IDE', P: 'SYL', A: 'ABC' };
const NAME_USE: Record<string, HumanName['use']> = { L: 'official', D: 'usual', M: 'maiden', N: 'nickname' };
const GENDER: Record<string, Patient['gender']> = { M: 'male', F: 'female', O: 'other', A: 'other', U: 'unknown', N: 'unknown' };
const ADDRESS_USE: Record<string, Address['use']> = { H: 'home', B: 'work', O: 'work', C: 'temp' };

type Field = string[][][];
/** Component c (1-based), subcomponent 1, of a repetition. */
const comp = (rep: string[][], c: number, s = 1) => (rep[c - 1]?.[s - 1] ?? '').trim();

export function patientResource(regionalId: string, identifiers: DomainIdentifier[], d: Demographics): Patient {
  const f = (n: number): Field => d.fields[n] ?? [];
  const name = f(5).map(humanName).filter((n): n is HumanName => !!n);
  const gender = GENDER[comp(f(8)[0] ?? [], 1).toUpperCase()];
  const born = hl7Date(comp(f(7)[0] ?? [], 1));
  const address = f(11).map(address_).filter((a): a is Address => !!a);
  const telecom = [...f(13).map((t) => contactPoint(t, 'home')), ...f(14).map((t) => contactPoint(t, 'work'))].filter((t): t is ContactPoint => !!t);
  return {
    resourceType: 'Patient',
    id: patientResourceId(regionalId),
    meta: { profile: [PDQM_PATIENT_PROFILE] },
    identifier: identifiers.map((i) => ({ system: systemOf(i.domain), value: i.id })),
    active: true,
    ...(name.length ? { name } : {}),
    ...(telecom.length ? { telecom } : {}),
    ...(gender ? { gender } : {}),
    ...(born ? { birthDate: [born.slice(0, 4), born.slice(4, 6), born.slice(6, 8)].filter(Boolean).join('-') } : {}),
    ...(address.length ? { address } : {}),
  };
}

function humanName(rep: string[][]): HumanName | undefined {
  const family = comp(rep, 1);
  const given = [comp(rep, 2), comp(rep, 3)].filter(Boolean);
  if (!family && given.length === 0) return undefined;
  const representation = REPRESENTATION[comp(rep, 8).toUpperCase()];
  const use = NAME_USE[comp(rep, 7).toUpperCase()];
  const extension: Extension[] | undefined = representation ? [{ url: EN_REPRESENTATION, valueCode: representation }] : undefined;
  const prefix = comp(rep, 5);
  const suffix = comp(rep, 4);
  // Family name first, as Japanese names are written (JP Core HumanName.text).
  const text = [family, ...given].filter(Boolean).join(' ');
  return {
    ...(extension ? { extension } : {}),
    ...(use ? { use } : {}),
    text,
    ...(family ? { family } : {}),
    ...(given.length ? { given } : {}),
    ...(prefix ? { prefix: [prefix] } : {}),
    ...(suffix ? { suffix: [suffix] } : {}),
  };
}

function address_(rep: string[][]): Address | undefined {
  const line = [comp(rep, 1), comp(rep, 2)].filter(Boolean);
  const city = comp(rep, 3);
  const state = comp(rep, 4);
  const postalCode = comp(rep, 5);
  const country = comp(rep, 6);
  const text = comp(rep, 8);
  if (!line.length && !city && !state && !postalCode && !country && !text) return undefined;
  const use = ADDRESS_USE[comp(rep, 7).toUpperCase()];
  return {
    ...(use ? { use } : {}),
    ...(text ? { text } : {}),
    ...(line.length ? { line } : {}),
    ...(city ? { city } : {}),
    ...(state ? { state } : {}),
    ...(postalCode ? { postalCode } : {}),
    ...(country ? { country } : {}),
  };
}

function contactPoint(rep: string[][], fieldUse: 'home' | 'work'): ContactPoint | undefined {
  const equipment = comp(rep, 3).toUpperCase();
  const useCode = comp(rep, 2).toUpperCase();
  const email = equipment === 'INTERNET' || useCode === 'NET';
  const value = email ? comp(rep, 4) : comp(rep, 1) || comp(rep, 12) || `${comp(rep, 6)}${comp(rep, 7)}`;
  if (!value) return undefined;
  const system: ContactPoint['system'] = email ? 'email' : equipment === 'FX' ? 'fax' : equipment === 'BP' ? 'pager' : 'phone';
  const use: ContactPoint['use'] = equipment === 'CP' ? 'mobile' : useCode === 'WPN' ? 'work' : useCode === 'PRN' || useCode === 'ORN' ? 'home' : fieldUse;
  return { system, value, use };
}
