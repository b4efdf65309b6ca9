import { expect } from 'chai';
import { hl7Request, readFixture, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { adt, HOSP_A, HOSP_B, TOKEN, type AdtOptions } from '../../../test/helpers/messages.ts';
import { NIST_AFFINITY } from '../../../test/helpers/xds.ts';
import { AccessDenied } from '../../consent/errors.ts';
import { facilityDomains, type FacilityDomain } from '../../consent/feedAuthorization.ts';
import { internalContext, type NodeIdentity, type RequestContext } from '../../kernel/requestContext.ts';
import { decodeIti8 } from './decode.ts';
import { authorizeIti8, locateIti8 } from './authorization.ts';

const REGIONAL = `&${NIST_AFFINITY}&ISO`;
const UNKNOWN = 'HOSP_X&1.2.392.999.77&ISO';

function nodeContext(name: string, facilities: string[] | '*'): RequestContext {
  const node: NodeIdentity = { name, facilities, sourceIds: [], auditSourceIds: [name], roles: new Set(['source']), breakGlass: new Set(), requireAssertion: false };
  return { transport: 'mllp', address: '192.0.2.10', node, certificate: { subject: `CN=${name}`, fingerprint256: 'AB' } };
}

const hospA = nodeContext('hosp-a', ['1.2.392.999.1']);

describe('ITI-8 node authorization facts (authorizeIti8)', () => {
  let f: ReadFixture;
  let facilities: FacilityDomain[];
  before(async () => {
    f = await readFixture();
    facilities = facilityDomains(f.config.identity.domains);
    await f.patient('R8-1', [{ authority: { namespace: 'HOSP_A', oid: '1.2.392.999.1', type: 'ISO' }, id: 'A8-1' }]);
    await f.patient('R8-2', [{ authority: { namespace: 'HOSP_B', oid: '1.2.392.999.2', type: 'ISO' }, id: 'B8-2' }]);
  });
  after(() => f?.close());

  /** Runs the check in a write, as the feed does; 'ok', or the refusal's reason and location. */
  async function check(o: AdtOptions, ctx: RequestContext = hospA): Promise<'ok' | { reason: string; location: unknown }> {
    const req = hl7Request(adt(o), ctx);
    const h = req.message.header;
    try {
      await f.store.write((tx) => authorizeIti8(tx, f.identity, facilities, req, decodeIti8(req.message, 20), { application: h.sendingApplication, facility: h.sendingFacility }));
      return 'ok';
    } catch (e) {
      if (!(e instanceof AccessDenied)) throw e;
      return { reason: e.reason, location: e.location };
    }
  }

  it("lets a node feed its own facility's identifiers, and the medical-field token, as that facility", async () => {
    expect(await check({ ids: [`A8-9^^^${HOSP_A}`, `T8-9^^^${TOKEN}`] })).to.equal('ok');
  });

  it('refuses a node feeding as another facility (MSH-4)', async () => {
    expect(await check({ ids: [`A8-9^^^${HOSP_A}`], sendingFacility: 'HOSP_B' })).to.deep.equal({ reason: 'facility', location: { part: 'sendingFacility' } });
    expect(await check({ ids: [`A8-9^^^${HOSP_A}`], sendingFacility: 'NOWHERE' })).to.deep.equal({ reason: 'facility', location: { part: 'sendingFacility' } });
  });

  it('accepts MSH-4 naming the facility by its universal id', async () => {
    expect(await check({ ids: [`A8-9^^^${HOSP_A}`], sendingFacility: '^1.2.392.999.1^ISO' })).to.equal('ok');
  });

  it("refuses another facility's identifier, at its PID-3 repetition", async () => {
    expect(await check({ ids: [`A8-9^^^${HOSP_A}`, `B8-9^^^${HOSP_B}`] })).to.deep.equal({ reason: 'facility', location: { part: 'identifiers', index: 1 } });
  });

  it('accepts a regional ID that is already the person of its own local ID in the same PID-3', async () => {
    expect(await check({ ids: [`A8-1^^^${HOSP_A}`, `R8-1^^^${REGIONAL}`] })).to.equal('ok');
  });

  it("refuses a regional ID that is another person's (a node may not attach its ID to another facility's patient)", async () => {
    expect(await check({ ids: [`A8-1^^^${HOSP_A}`, `R8-2^^^${REGIONAL}`] })).to.deep.equal({ reason: 'facility', location: { part: 'identifiers', index: 1 } });
  });

  it('refuses a regional ID with a local ID not yet on file, and a regional ID alone', async () => {
    expect(await check({ ids: [`A8-new^^^${HOSP_A}`, `R8-1^^^${REGIONAL}`] })).to.deep.equal({ reason: 'facility', location: { part: 'identifiers', index: 1 } });
    expect(await check({ ids: [`R8-1^^^${REGIONAL}`] })).to.deep.equal({ reason: 'facility', location: { part: 'identifiers', index: 0 } });
  });

  it('refuses an identifier of an unknown assigning authority, and registers nothing', async () => {
    expect(await check({ ids: [`A8-9^^^${HOSP_A}`, `X8-9^^^${UNKNOWN}`] })).to.deep.equal({ reason: 'facility', location: { part: 'identifiers', index: 1 } });
    const d = await f.store.read((tx) => tx.identity.domainByOid('1.2.392.999.77'));
    expect(d).to.equal(undefined);
  });

  it('checks the MRG-1 priors of a merge, an MRG-1 without authority taken in the first PID-3 domain', async () => {
    expect(await check({ event: 'A40', ids: [`A8-1^^^${HOSP_A}`], mrg: ['A8-3'] })).to.equal('ok');
    expect(await check({ event: 'A40', ids: [`A8-1^^^${HOSP_A}`], mrg: [`A8-3^^^${HOSP_A}`, `B8-2^^^${HOSP_B}`] })).to.deep.equal({
      reason: 'facility',
      location: { part: 'priors', index: 1 },
    });
    expect(await check({ event: 'A40', ids: [`A8-1^^^${HOSP_A}`], mrg: [`R8-2^^^${REGIONAL}`] })).to.deep.equal({ reason: 'facility', location: { part: 'priors', index: 0 } });
  });

  it("skips the facts for the operator's node (every facility), even an unknown authority", async () => {
    expect(await check({ ids: [`X8-9^^^${UNKNOWN}`], sendingFacility: 'NOWHERE' }, internalContext('operator'))).to.equal('ok');
  });

  it('places a refused fact in the message: MSH-4, or the PID-3 or MRG-1 repetition (1-based)', () => {
    expect(locateIti8(undefined)).to.equal(undefined);
    expect(locateIti8({ part: 'sendingFacility' })).to.deep.equal({ segment: 'MSH', field: 4 });
    expect(locateIti8({ part: 'identifiers', index: 1 })).to.deep.equal({ segment: 'PID', field: 3, repetition: 2 });
    expect(locateIti8({ part: 'priors', index: 0 })).to.deep.equal({ segment: 'MRG', field: 1, repetition: 1 });
  });
});
