import { expect } from 'chai';
import type { NodeIdentity, RequestContext } from '../kernel/requestContext.ts';
import { emptyTerms, type Consent } from './model.ts';
import { coversRequester } from './patientView.ts';

const B = 'urn:oid:1.2.392.999.900.2';
const C = 'urn:oid:1.2.392.999.900.3';
const consent: Consent = { ...emptyTerms(), participation: 'opted-in', peerRegions: [B], personId: 1 } as Consent;

function gateway(homeCommunityId: string | undefined, userCommunity?: string): RequestContext {
  const node: NodeIdentity = { name: 'peer', facilities: [], sourceIds: [], auditSourceIds: [], roles: new Set(['gateway']), breakGlass: new Set(), requireAssertion: false, ...(homeCommunityId ? { homeCommunityId } : {}) };
  return { transport: 'soap', address: '127.0.0.1', node, ...(userCommunity !== undefined ? { user: { id: 'dr', issuer: 'idp', assertionId: '_a', homeCommunityId: userCommunity } } : {}) };
}

describe('consent rule 4 for a gateway node: which community asks', () => {
  it('covers the gateway of a community the consent names, with or without a user of that community', () => {
    expect(coversRequester(consent, gateway(B))).to.equal(true);
    expect(coversRequester(consent, gateway(B, B))).to.equal(true);
  });

  it('does not cover a user of another community through that gateway', () => {
    expect(coversRequester(consent, gateway(B, C))).to.equal(false);
  });

  it("never lets another community's gateway pass for a named one with a user's claim (a conveyed or replayed assertion)", () => {
    expect(coversRequester(consent, gateway(C, B))).to.equal(false);
    expect(coversRequester(consent, gateway(C))).to.equal(false);
  });

  it("takes the user's community for a gateway node configured without one", () => {
    expect(coversRequester(consent, gateway(undefined, B))).to.equal(true);
    expect(coversRequester(consent, gateway(undefined, C))).to.equal(false);
    expect(coversRequester(consent, gateway(undefined))).to.equal(false);
  });
});
