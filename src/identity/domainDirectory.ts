/**
 * The patient identifier domains this server knows: the facilities' assigning authorities (from
 * config, or registered when first fed, as config says), the regional domain, the token domain, the
 * organization pseudonym domains, and the individual-number domain that is always refused.
 */
import type { Config } from '../kernel/config.ts';
import type { ReadTx, WriteTx } from '../store/types.ts';
import { IdentityError } from './errors.ts';
import { IndividualNumberDomain } from './individualNumber/domain.ts';
import { looksLikeIndividualNumber } from './individualNumber/freeText.ts';
import { domainKey, type AssigningAuthority, type Domain } from './types.ts';

export interface PseudonymDomain extends Domain {
  secret: Buffer;
}

type IdentityConfig = Config['identity'];

const toDomain = (a: { namespace: string; oid: string }, kind: Domain['kind']): Domain => ({
  key: domainKey(a),
  namespace: a.namespace,
  oid: a.oid,
  type: a.oid ? 'ISO' : '',
  kind,
});

export class DomainDirectory {
  readonly token: Domain;
  readonly regional: Domain;
  readonly pseudonyms: PseudonymDomain[];
  private readonly special: Domain[];
  private readonly cache = new Map<string, Domain>();
  /** The individual-number domain: refused wherever it arrives (individualNumber/domain.ts). */
  readonly individualNumber: IndividualNumberDomain;

  constructor(private readonly cfg: IdentityConfig) {
    this.token = toDomain(cfg.token.authority, 'token');
    this.regional = toDomain(cfg.regional.authority, 'regional');
    this.pseudonyms = cfg.pseudonymDomains.map((p) => ({ ...toDomain(p, 'pseudonym'), secret: Buffer.from(p.key, 'utf8') }));
    this.special = [this.token, this.regional, ...this.pseudonyms];
    this.individualNumber = new IndividualNumberDomain(cfg.individualNumber);
    const clash = [...this.special, ...cfg.domains].find((d) => this.individualNumber.isAuthority(d.oid) || this.individualNumber.isAuthority(d.namespace));
    if (clash) throw new Error(`identity.individualNumber names the domain ${clash.namespace}&${clash.oid}, which is configured as a patient identifier domain`);
  }

  /** Writes the configured domains into the store, so that queries know them before any feed. */
  async seed(tx: WriteTx): Promise<void> {
    for (const d of this.special) await tx.identity.addDomain(stripSecret(d));
    for (const d of this.cfg.domains) await tx.identity.addDomain(toDomain(d, 'local'));
  }

  /** True when the authority (CX-4, in any spelling) or the identifier type code (CX-5) is the individual number's. */
  isIndividualNumber(a: Partial<AssigningAuthority>, typeCode?: string): boolean {
    return this.individualNumber.isIndividualNumber(a, typeCode);
  }

  isIndividualNumberAuthority(value: string): boolean {
    return this.individualNumber.isAuthority(value);
  }

  mentionsIndividualNumberDomain(text: string): boolean {
    return this.individualNumber.mentionedIn(text) || this.individualNumber.typeCodeMentionedIn(text);
  }

  freeTextScreeningOn(): boolean {
    return this.individualNumber.freeTextScreening;
  }

  /** With free-text screening on (identity.individualNumber.freeTextScreening): 12 digits with a valid check digit. */
  screensFreeText(text: string): boolean {
    return this.individualNumber.freeTextScreening && looksLikeIndividualNumber(text);
  }

  /**
   * The domain an authority names, or undefined when this server does not know it. Only lookups in
   * committed data are remembered (`remember`): a write transaction may still roll back.
   */
  async find(tx: ReadTx, a: Pick<AssigningAuthority, 'namespace' | 'oid'>, remember = true): Promise<Domain | undefined> {
    if (!a.oid && !a.namespace) return undefined;
    const special = this.special.find((d) => (a.oid ? d.oid === a.oid : d.namespace === a.namespace));
    if (special) return special;
    const cacheKey = a.oid ? a.oid : `ns:${a.namespace}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const found = a.oid ? await tx.identity.domainByOid(a.oid) : await tx.identity.domainByNamespace(a.namespace);
    if (found && remember) this.cache.set(cacheKey, found);
    return found;
  }

  /**
   * For a feed: the domain, registered now when unknown and config allows it. An OID arriving for a
   * namespace known without one completes that domain; a namespace already bound to another OID is
   * refused (CX-4 subcomponents must name one entity, ITI TF-2 3.8.4.1.2.3).
   */
  async findOrRegister(tx: WriteTx, a: AssigningAuthority, index: number): Promise<Domain> {
    const found = await this.find(tx, a, false);
    if (found) return found;
    const sameName = a.oid && a.namespace ? await tx.identity.domainByNamespace(a.namespace) : undefined;
    if (sameName && sameName.oid) {
      throw new IdentityError('inconsistent-authority', `namespace ${a.namespace} is another assigning authority's`, index);
    }
    if (sameName) {
      const completed = { ...sameName, oid: a.oid, type: a.type || 'ISO' };
      await tx.identity.addDomain(completed);
      this.cache.delete(`ns:${a.namespace}`);
      return completed;
    }
    if (this.cfg.unknownDomains === 'reject') {
      throw new IdentityError('unknown-domain', 'assigning authority is not a known patient identifier domain', index);
    }
    const d = toDomain(a, 'local');
    await tx.identity.addDomain(d);
    return d;
  }

  /** The default authority of a source whose CX-4 is empty (ITI TF-2 3.8.4.1.3). */
  defaultAuthorityFor(application: string, facility: string): AssigningAuthority | undefined {
    const d = this.cfg.domains.find(
      (x) => x.sourceApplication === application && (x.sourceFacility === undefined || x.sourceFacility === facility),
    );
    return d && { namespace: d.namespace, oid: d.oid, type: 'ISO' };
  }

  /** Forgets cached lookups (after a rolled-back registration, or in tests). */
  clearCache(): void {
    this.cache.clear();
  }
}

function stripSecret(d: Domain | PseudonymDomain): Domain {
  return { key: d.key, namespace: d.namespace, oid: d.oid, type: d.type, kind: d.kind };
}
