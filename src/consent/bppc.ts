/**
 * BPPC (Basic Patient Privacy Consents, ITI TF-1 19 and ITI TF-3 5.1): a consent document registered
 * like any other, recognised by its formatCode (urn:ihe:iti:bppc:2007, or urn:ihe:iti:bppc-sd:2007
 * for a scanned one), whose DocumentEntry eventCodeList carries the codes of the privacy policies the
 * patient acknowledged (ITI TF-3 5.1.2.3). Registered through ITI-41/42 or the SS-MIX2 ingest, it
 * records the patient's consent in the same write: each policy code means what config
 * `consent.bppcPolicies` says, serviceStartTime/StopTime give the validity period, and the latest
 * acknowledgement replaces the consent (the history keeps every one). A policy this region does not
 * know refuses the submission: the patient would believe a consent the network cannot honour.
 */
import type { AuthorityConfig, BppcPolicyConfig } from '../kernel/config.ts';
import { slotValue } from '../ebxml/rim.ts';
import type { WriteTx } from '../store/types.ts';
import type { NewEntry } from '../xds/registry/entries.ts';
import { XdsErrors } from '../xds/registry/errors.ts';
import type { RegistrationObserver } from '../xds/registry/service.ts';
import { DocumentEntrySchemes } from '../xds/registry/schemes.ts';
import { addWithheld, codeKey, emptyTerms, type Code, type ConsentTerms, type Participation } from './model.ts';
import type { ConsentService } from './service.ts';

export const BPPC_FORMAT_CODES: readonly string[] = ['urn:ihe:iti:bppc:2007', 'urn:ihe:iti:bppc-sd:2007'];

export class BppcConfigError extends Error {}

/** A policy as the decision needs it: facility names resolved to domain keys. */
interface Policy {
  participation?: Participation;
  facilities: string[];
  peerRegions: string[];
  withhold: ConsentTerms['withheld'];
}

/** Resolves a facility named by namespace or OID to its domain key (the OID of the identity.domains entry). */
export function facilityResolver(domains: readonly AuthorityConfig[]): (name: string) => string | undefined {
  return (name) => domains.find((d) => d.namespace === name || d.oid === name)?.oid;
}

/** XDS DTM (UTC, YYYY[MM[DD[hh[mm[ss]]]]]) as an ISO 8601 instant. */
export function dtmToIso(v: string): string | undefined {
  if (!/^\d{4}(\d{2}){0,5}$/.test(v)) return undefined;
  const p = v + '00000101000000'.slice(v.length);
  const iso = `${p.slice(0, 4)}-${p.slice(4, 6)}-${p.slice(6, 8)}T${p.slice(8, 10)}:${p.slice(10, 12)}:${p.slice(12, 14)}.000Z`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

function codesOf(e: NewEntry, scheme: string): Code[] {
  return e.object.classifications
    .filter((c) => c.classificationScheme === scheme)
    .map((c) => ({ code: c.nodeRepresentation ?? '', codingScheme: slotValue(c, 'codingScheme') ?? '' }));
}

export class BppcRecorder {
  private readonly policies = new Map<string, Policy>();

  constructor(
    policies: readonly BppcPolicyConfig[],
    domains: readonly AuthorityConfig[],
    private readonly consent: ConsentService,
  ) {
    const facility = facilityResolver(domains);
    const problems: string[] = [];
    const keys = (names: readonly string[] | undefined, where: string) =>
      (names ?? []).flatMap((n) => {
        const k = facility(n);
        if (!k) problems.push(`consent.bppcPolicies ${where}: facility ${n} is not an identity.domains entry`);
        return k ? [k] : [];
      });
    for (const p of policies) {
      const where = codeKey(p);
      this.policies.set(where, {
        participation: p.participation,
        facilities: keys(p.facilities, where),
        peerRegions: [...(p.peerRegions ?? [])],
        withhold: addWithheld(emptyTerms().withheld, {
          classCodes: [...(p.withhold?.classCodes ?? [])],
          typeCodes: [...(p.withhold?.typeCodes ?? [])],
          confidentialityCodes: [...(p.withhold?.confidentialityCodes ?? [])],
          practiceSettingCodes: [...(p.withhold?.practiceSettingCodes ?? [])],
          facilities: keys(p.withhold?.facilities, where),
        }),
      });
    }
    if (problems.length) throw new BppcConfigError(problems.join('\n'));
  }

  /** The registry's observer: records the consent of every BPPC DocumentEntry of a registration. */
  readonly observer: RegistrationObserver = async (tx, registered) => {
    for (const e of registered.entries) {
      if (e.kind !== 'DocumentEntry' || e.personId === null) continue;
      const format = codesOf(e, DocumentEntrySchemes.formatCode)[0]?.code;
      if (!format || !BPPC_FORMAT_CODES.includes(format)) continue;
      await this.record(tx, e, e.personId, registered.submitter ?? (registered.facility ? `facility:${registered.facility}` : 'xds-registration'));
    }
  };

  /** The consent terms an acknowledgement of these policies stands for; throws XdsErrors for unknown ones. */
  termsOf(e: NewEntry): ConsentTerms {
    const acknowledged = codesOf(e, DocumentEntrySchemes.eventCodeList);
    const uniqueId = e.index.uniqueId ?? e.uuid;
    const fail = (msg: string) => new XdsErrors([{ errorCode: 'XDSRegistryMetadataError', codeContext: msg, location: uniqueId, severity: 'Error' }]);
    if (acknowledged.length === 0) throw fail(`BPPC consent document ${uniqueId} names no acknowledged policy in eventCodeList (ITI TF-3 5.1.2.3)`);
    const unknown = acknowledged.filter((c) => !this.policies.has(codeKey(c)));
    if (unknown.length) throw fail(`BPPC consent document ${uniqueId} acknowledges policies this region does not know: ${unknown.map(codeKey).join(', ')}`);
    const policies = acknowledged.map((c) => this.policies.get(codeKey(c))!);
    // Opting out outweighs opting in; policies that only limit leave participation to the others.
    const participation: Participation = policies.some((p) => p.participation === 'opted-out')
      ? 'opted-out'
      : policies.some((p) => p.participation === 'opted-in')
        ? 'opted-in'
        : 'not-enrolled';
    const start = e.index.serviceStartTime ? dtmToIso(e.index.serviceStartTime) : undefined;
    const stop = e.index.serviceStopTime ? dtmToIso(e.index.serviceStopTime) : undefined;
    return {
      participation,
      facilities: [...new Set(policies.flatMap((p) => p.facilities))],
      peerRegions: [...new Set(policies.flatMap((p) => p.peerRegions))],
      withheld: policies.reduce((w, p) => addWithheld(w, p.withhold), emptyTerms().withheld),
      ...(start ? { validFrom: start } : {}),
      ...(stop ? { validUntil: stop } : {}),
    };
  }

  private async record(tx: WriteTx, e: NewEntry, personId: number, who: string): Promise<void> {
    const terms = this.termsOf(e);
    await this.consent.set(tx, personId, terms, { who, source: { kind: 'bppc', document: e.index.uniqueId ?? e.uuid } }, 'bppc');
  }
}
