import { expect } from 'chai';
import type { NodeIdentity, NodeRole, RequestContext } from '../kernel/requestContext.ts';
import { AccessDenied, type AccessDeniedReason } from './errors.ts';
import {
  authorizeFacility,
  authorizeFeed,
  authorizeTransaction,
  facilitiesNamed,
  facilityDomains,
  FEED_ROLES,
  QUERY_ROLES,
  type FeedFacts,
  type FeedIdentifier,
  type FeedLocation,
} from './feedAuthorization.ts';

const A = '1.2.392.999.1';
const B = '1.2.392.999.2';

function node(name: string, facilities: string[] | '*', roles: NodeRole[]): NodeIdentity {
  return { name, facilities, sourceIds: [], auditSourceIds: [name], roles: new Set(roles), breakGlass: new Set(), requireAssertion: false };
}

const ctx = (n?: NodeIdentity): RequestContext => ({
  transport: 'mllp',
  address: '192.0.2.7',
  node: n,
  certificate: { subject: `CN=${n?.name ?? 'stranger'}`, fingerprint256: 'AB' },
});

const hospA = ctx(node('hosp-a', [A], ['source']));
const operator = ctx(node('local', '*', ['source', 'consumer']));
const consumer = ctx(node('viewer', [B], ['consumer']));
const gateway = ctx(node('peer-region', [], ['gateway']));
const stranger = ctx(undefined);

/** The outcome of a decision: 'ok', or the AccessDenied reason and location. */
function outcome(fn: () => void): 'ok' | { reason: AccessDeniedReason; location?: unknown } {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof AccessDenied)) throw e;
    return e.location === undefined ? { reason: e.reason } : { reason: e.reason, location: e.location };
  }
}

describe('HL7 v2 node authorization (feedAuthorization)', () => {
  describe('transactions by role', () => {
    const table: [string, RequestContext, readonly NodeRole[], ReturnType<typeof outcome>][] = [
      ['a source feeds', hospA, FEED_ROLES, 'ok'],
      ['a consumer-only node feeds', consumer, FEED_ROLES, { reason: 'role' }],
      ['a source-only node queries', hospA, QUERY_ROLES, { reason: 'role' }],
      ['a consumer queries', consumer, QUERY_ROLES, 'ok'],
      ['a gateway queries', gateway, QUERY_ROLES, 'ok'],
      ['the operator feeds', operator, FEED_ROLES, 'ok'],
      ['the operator queries', operator, QUERY_ROLES, 'ok'],
      ['an unknown peer feeds', stranger, FEED_ROLES, { reason: 'unknown-node' }],
      ['an unknown peer queries', stranger, QUERY_ROLES, { reason: 'unknown-node' }],
      ['an unknown peer uses a transaction that needs no role', stranger, [], { reason: 'unknown-node' }],
    ];
    for (const [label, c, roles, expected] of table) {
      it(label, () => expect(outcome(() => authorizeTransaction(c, 'ITI-x', roles))).to.deep.equal(expected));
    }

    it('names the certificate of an unknown peer and the role a node lacks', () => {
      expect(() => authorizeTransaction(stranger, 'ITI-8', FEED_ROLES)).to.throw(AccessDenied, 'certificate CN=stranger is not a configured node');
      expect(() => authorizeTransaction(consumer, 'ITI-8', FEED_ROLES)).to.throw(AccessDenied, 'node viewer may not use ITI-8: it needs the role source');
    });
  });

  describe('sending facility (MSH-4)', () => {
    const domains = facilityDomains([
      { namespace: 'HOSP_A', oid: A },
      { namespace: 'HOSP_B', oid: B, sourceFacility: 'B_EHR' },
    ]);
    const table: [string, { namespace: string; universalId: string }, string[]][] = [
      ['namespace', { namespace: 'HOSP_A', universalId: '' }, [A]],
      ['OID', { namespace: '', universalId: B }, [B]],
      ['namespace and OID', { namespace: 'HOSP_A', universalId: A }, [A]],
      ['configured sourceFacility', { namespace: 'B_EHR', universalId: '' }, [B]],
      ['nothing known', { namespace: 'HOSP_Z', universalId: '1.2.3' }, []],
      ['empty', { namespace: '', universalId: '' }, []],
    ];
    for (const [label, hd, keys] of table) {
      it(`names facilities by ${label}`, () => expect(facilitiesNamed(hd, domains)).to.deep.equal(keys));
    }
  });

  describe('patient identity feed (ITI-8)', () => {
    const local = (index: number, key: string, id: string, personRegionalId?: string): FeedIdentifier => ({
      index,
      id,
      domain: { key, kind: 'local', name: key === A ? 'HOSP_A' : 'HOSP_B' },
      personRegionalId,
    });
    const regional = (index: number, id: string): FeedIdentifier => ({ index, id, domain: { key: '2.999.392.1.2', kind: 'regional', name: 'REGION' } });
    const token = (index: number): FeedIdentifier => ({ index, id: 'tok', domain: { key: '2.999.392.1.1', kind: 'token', name: 'MFTOKEN' } });
    const unknown = (index: number): FeedIdentifier => ({ index, id: 'x' });
    const facts = (o: Partial<FeedFacts> & { from?: string[] }): FeedFacts => ({
      sendingFacility: { name: 'X', keys: o.from ?? [A] },
      identifiers: o.identifiers ?? [local(0, A, 'A1')],
      priors: o.priors ?? [],
    });
    const at = (l: FeedLocation) => l;

    const table: [string, RequestContext, FeedFacts, ReturnType<typeof outcome>][] = [
      ['its own patient', hospA, facts({}), 'ok'],
      ['its own patient with the token', hospA, facts({ identifiers: [local(0, A, 'A1'), token(1)] }), 'ok'],
      ['MSH-4 naming another facility', hospA, facts({ from: [B] }), { reason: 'facility', location: at({ part: 'sendingFacility' }) }],
      ['MSH-4 naming no known facility', hospA, facts({ from: [] }), { reason: 'facility', location: at({ part: 'sendingFacility' }) }],
      ['an identifier of another facility', hospA, facts({ identifiers: [local(0, A, 'A1'), local(1, B, 'B1')] }), { reason: 'facility', location: at({ part: 'identifiers', index: 1 }) }],
      ['an identifier of an unknown authority (never registered)', hospA, facts({ identifiers: [local(0, A, 'A1'), unknown(2)] }), { reason: 'facility', location: at({ part: 'identifiers', index: 2 }) }],
      ['a merge of its own IDs', hospA, facts({ priors: [local(0, A, 'A0')] }), 'ok'],
      ['a merge of another facility\'s IDs', hospA, facts({ priors: [local(0, A, 'A0'), local(1, B, 'B0')] }), { reason: 'facility', location: at({ part: 'priors', index: 1 }) }],
      ['the regional ID of the person its own ID belongs to', hospA, facts({ identifiers: [local(0, A, 'A1', 'R1'), regional(1, 'R1')] }), 'ok'],
      ['a regional ID of another person than its ID\'s', hospA, facts({ identifiers: [local(0, A, 'A1', 'R1'), regional(1, 'R2')] }), { reason: 'facility', location: at({ part: 'identifiers', index: 1 }) }],
      ['a regional ID with a local ID not yet on file', hospA, facts({ identifiers: [local(0, A, 'A9'), regional(1, 'R2')] }), { reason: 'facility', location: at({ part: 'identifiers', index: 1 }) }],
      ['a regional ID alone', hospA, facts({ identifiers: [regional(0, 'R1')] }), { reason: 'facility', location: at({ part: 'identifiers', index: 0 }) }],
      [
        'a regional ID whose person only another facility\'s ID names',
        hospA,
        facts({ identifiers: [local(0, A, 'A9'), local(1, B, 'B1', 'R1'), regional(2, 'R1')] }),
        { reason: 'facility', location: at({ part: 'identifiers', index: 1 }) },
      ],
      ['anything from the operator', operator, facts({ from: [], identifiers: [local(0, B, 'B1'), regional(1, 'R7'), unknown(2)], priors: [local(0, B, 'B0')] }), 'ok'],
      ['anything from an unknown peer', stranger, facts({}), { reason: 'unknown-node' }],
    ];
    for (const [label, c, f, expected] of table) {
      it(`${expected === 'ok' ? 'accepts' : 'refuses'} ${label}`, () => expect(outcome(() => authorizeFeed(c, f))).to.deep.equal(expected));
    }

    it('says what was refused, in words a sender can act on', () => {
      expect(() => authorizeFeed(hospA, { ...facts({ from: [B] }), sendingFacility: { name: 'HOSP_B', keys: [B] } })).to.throw("node hosp-a does not act for sending facility 'HOSP_B'");
      expect(() => authorizeFeed(hospA, facts({ identifiers: [local(0, B, 'B1')] }))).to.throw('node hosp-a may not feed identifiers of HOSP_B: not its facility');
    });
  });

  describe('clinical feed facility', () => {
    const table: [string, RequestContext, string, ReturnType<typeof outcome>][] = [
      ['its own facility', hospA, A, 'ok'],
      ['another facility', hospA, B, { reason: 'facility', location: { part: 'sendingFacility' } }],
      ['any facility, as the operator', operator, B, 'ok'],
      ['anything, unknown', stranger, A, { reason: 'unknown-node' }],
    ];
    for (const [label, c, key, expected] of table) {
      it(`${expected === 'ok' ? 'accepts' : 'refuses'} ${label}`, () => expect(outcome(() => authorizeFacility(c, { key, name: key }))).to.deep.equal(expected));
    }
  });
});
