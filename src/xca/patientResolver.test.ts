import path from 'node:path';
import { expect } from 'chai';
import { tempDir } from '../../test/helpers/hieServer.ts';
import { RuleDecisions } from '../../test/helpers/readFixture.ts';
import { readScoped } from '../consent/scopedReader.ts';
import { DomainDirectory } from '../identity/domainDirectory.ts';
import { IdentityService } from '../identity/service.ts';
import { organizationPseudonym } from '../identity/token/issuer.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import { validate } from '../server/config/load.ts';
import { SqliteStore } from '../store/sqlite/sqliteStore.ts';
import type { Store } from '../store/types.ts';
import { XdsError } from '../xds/registry/errors.ts';
import { CommunityDirectory } from './community.ts';
import { CommunityPatientResolver } from './patientResolver.ts';

const TOKEN_OID = '2.999.392.1.1';
const REGIONAL_OID = '2.999.392.1.2';
const LINK_B = { namespace: 'LINK_B', oid: '1.2.392.999.910.2', key: 'link-b-secret-0123456789' };
const LINK_C = { namespace: 'LINK_C', oid: '1.2.392.999.910.3', key: 'link-c-secret-0123456789' };
const B = 'urn:oid:1.2.392.999.900.2';
const C = 'urn:oid:1.2.392.999.900.3';
const D = 'urn:oid:1.2.392.999.900.4';

const community = (homeCommunityId: string, name: string, identity: object) => ({ homeCommunityId, name, queryUrl: 'https://peer.example/q', retrieveUrl: 'https://peer.example/r', identity });
const gateway = (homeCommunityId: string): RequestContext => ({
  transport: 'soap',
  address: '192.0.2.1',
  node: { name: `gw-${homeCommunityId}`, facilities: [], sourceIds: [], auditSourceIds: [], roles: new Set(['gateway']), breakGlass: new Set(), requireAssertion: false, homeCommunityId },
});

describe('XCA identity across regions: the link keys (token, pseudonym through the index)', () => {
  let store: Store;
  let identity: IdentityService;
  let resolver: CommunityPatientResolver;
  let decisions: RuleDecisions;
  let person: number;
  const token = 'TOKENOFPATIENT1234567890ABCDEFGH';

  const setup = async (pseudonymDomains: (typeof LINK_B)[], dir = tempDir('hie-xca-id-')) => {
    const config = validate({
      dataDir: dir,
      identity: { pseudonymDomains },
      xca: { homeCommunityId: 'urn:oid:1.2.392.999.900.1', communities: [community(B, 'B', { mode: 'pseudonym', pseudonymDomain: 'LINK_B' }), community(C, 'C', { mode: 'pseudonym', pseudonymDomain: LINK_C.oid }), community(D, 'D', {})] },
    });
    store = new SqliteStore({ path: path.join(dir, 'hie.db') });
    const domains = new DomainDirectory(config.identity);
    await store.write((tx) => domains.seed(tx));
    identity = new IdentityService(config.identity, domains);
    decisions = new RuleDecisions();
    resolver = pseudonymDomains.length === 2 ? new CommunityPatientResolver(new CommunityDirectory(config.xca.homeCommunityId!, config.xca, domains)) : (undefined as never);
    return { config, domains, dir };
  };
  const resolve = (from: string, pid: string) => readScoped({ store, identity, decisions }, gateway(from), 'ITI-38', (r) => resolver.resolve(r, pid)).catch((e: unknown) => e);

  before(async () => {
    // First without pseudonym domains: the person exists before the links, as data older than the index.
    const { dir, domains } = await setup([]);
    person = await store.write(async (tx) => (await identity.registerFeed(tx, { identifiers: [{ domain: domains.regional, id: 'RP-1' }], regionalId: 'RP-1', token, demographics: { fields: {} } })).personId);
    await store.close();
    await setup([LINK_B, LINK_C], dir);
    expect(await store.write((tx) => identity.indexPseudonyms(tx))).to.equal(2, 'one row per person with a token and link');
    expect(await store.write((tx) => identity.indexPseudonyms(tx))).to.equal(0, 'indexed once');
  });
  after(() => store?.close());

  it("resolves a pseudonym link's own pseudonym of the token through the index", async () => {
    expect(await resolve(B, `${organizationPseudonym(Buffer.from(LINK_B.key), token)}^^^&${LINK_B.oid}&ISO`)).to.equal(person);
    expect(await resolve(C, `${organizationPseudonym(Buffer.from(LINK_C.key), token)}^^^&${LINK_C.oid}&ISO`)).to.equal(person);
  });

  it("refuses, as an unknown patient, the token on a pseudonym link and another link's pseudonym", async () => {
    for (const pid of [`${token}^^^&${TOKEN_OID}&ISO`, `${organizationPseudonym(Buffer.from(LINK_C.key), token)}^^^&${LINK_B.oid}&ISO`, `${organizationPseudonym(Buffer.from(LINK_C.key), token)}^^^&${LINK_C.oid}&ISO`, `RP-1^^^&${REGIONAL_OID}&ISO`]) {
      const e = await resolve(B, pid);
      expect(e, pid).to.be.instanceOf(XdsError).and.to.include({ errorCode: 'XDSUnknownPatientId' });
    }
  });

  it('keys a token link (and a community not in the directory) on the token or the regional ID', async () => {
    expect(await resolve(D, `${token}^^^&${TOKEN_OID}&ISO`)).to.equal(person);
    expect(await resolve('urn:oid:9.9.9', `RP-1^^^&${REGIONAL_OID}&ISO`)).to.equal(person);
    expect(await resolve(D, `${organizationPseudonym(Buffer.from(LINK_B.key), token)}^^^&${LINK_B.oid}&ISO`)).to.be.instanceOf(XdsError);
  });

  it('indexes the pseudonyms of a token fed later, and answers a hidden patient as unknown', async () => {
    const later = 'TOKENOFPATIENT2234567890ABCDEFGH';
    const domains = identity.domains;
    const p2 = await store.write(async (tx) => (await identity.registerFeed(tx, { identifiers: [{ domain: domains.regional, id: 'RP-2' }], regionalId: 'RP-2', token: later, demographics: { fields: {} } })).personId);
    const pid = `${organizationPseudonym(Buffer.from(LINK_B.key), later)}^^^&${LINK_B.oid}&ISO`;
    expect(await resolve(B, pid)).to.equal(p2);
    decisions.hiddenPatients.add(p2);
    expect(await resolve(B, pid)).to.be.instanceOf(XdsError).and.to.include({ errorCode: 'XDSUnknownPatientId' });
  });
});
