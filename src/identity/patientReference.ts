/**
 * How a patient is named to the access report and the consent admin API and CLI: by a local ID with
 * its assigning authority as an HL7 CX (L123^^^HOSP_A&1.2.392.100.1&ISO, or ^^^HOSP_A, or
 * ^^^&OID&ISO), as system|value (urn:oid:OID|L123), by the medical-field token (token:XYZ), or by a
 * bare value, tried as token and then as regional ID.
 */
import { looksLikeIndividualNumber } from './individualNumber/freeText.ts';
import { numbersNamedIn } from './individualNumber/textScreen.ts';
import type { IdentityService } from './service.ts';
import type { Person } from './types.ts';
import type { ReadTx } from '../store/types.ts';

/** The message names the form of the reference and its domain, never its value: a reference may be an
 * identifier that must not be echoed (an individual number given by mistake, say). */
export class UnknownPatient extends Error {
  constructor(form: string) {
    super(`no patient is known by ${form}`);
    this.name = 'UnknownPatient';
  }
}

export async function findPatient(tx: ReadTx, identity: IdentityService, reference: string): Promise<Person> {
  const ref = reference.trim();
  const domains = identity.domains;
  // A reference in the individual-number domain names nobody here, and is not repeated; nor is one
  // that looks like an individual number (12 digits with a valid check digit).
  const system = ref.includes('|') ? ref.slice(0, ref.indexOf('|')) : '';
  if (numbersNamedIn(ref, domains.individualNumber).length || domains.isIndividualNumberAuthority(system)) {
    throw new UnknownPatient('an identifier in the individual-number domain');
  }
  if (/^[0-9\uFF10-\uFF19 -]+$/.test(ref) && looksLikeIndividualNumber(ref)) throw new UnknownPatient('that reference');
  const resolve = async (domain: Parameters<IdentityService['resolve']>[1] | undefined, id: string) => {
    if (!domain || !id) return undefined;
    const r = await identity.resolve(tx, domain, id);
    return r.kind === 'person' ? r.person : undefined;
  };
  let person: Person | undefined;
  let form: string;
  if (ref.startsWith('token:')) {
    form = 'that token';
    person = await resolve(domains.token, ref.slice(6));
  } else if (ref.includes('^')) {
    const c = ref.split('^');
    const hd = (c[3] ?? '').split('&');
    form = `that ID in ${authorityName(hd[0] ?? '', hd[1] ?? '')}`;
    person = await resolve(await domains.find(tx, { namespace: hd[0] ?? '', oid: hd[1] ?? '' }), c[0]);
  } else if (ref.includes('|')) {
    const [system, id] = [ref.slice(0, ref.indexOf('|')), ref.slice(ref.indexOf('|') + 1)];
    const a = system.startsWith('urn:oid:') ? { namespace: '', oid: system.slice(8) } : { namespace: system, oid: '' };
    form = `that ID in ${authorityName(a.namespace, a.oid)}`;
    person = await resolve(await domains.find(tx, a), id);
  } else {
    form = 'that token or regional ID';
    person = (await resolve(domains.token, ref)) ?? (await resolve(domains.regional, ref));
  }
  if (!person) throw new UnknownPatient(form);
  return person;
}

/** An assigning authority as the operator wrote it, limited to the characters of a namespace or OID. */
function authorityName(namespace: string, oid: string): string {
  const name = (namespace || oid).replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64);
  return name || 'an unnamed authority';
}
