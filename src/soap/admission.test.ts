import { expect } from 'chai';
import { EMERGENCY, makeIdp, securityHeader, signedAssertion, type TestIdp } from '../../test/helpers/saml.ts';
import { silentLogger } from '../kernel/logger.ts';
import type { NodeIdentity, NodeRole, RequestContext } from '../kernel/requestContext.ts';
import { admit, type SoapGuard, type SoapRefusal } from './admission.ts';
import { requestEnvelope } from './client.ts';
import type { SoapEnvelope } from './envelope.ts';
import { SoapFault } from './fault.ts';
import { NS } from './namespaces.ts';
import { headerDocument } from './wsSecurity/securityHeader.ts';
import { XuaVerifier } from './wsSecurity/verifier.ts';

const ENDPOINT = 'https://hie.example/services/registry';
const ITI18 = { id: 'ITI-18', roles: ['consumer', 'gateway'] as NodeRole[] };
const ITI42 = { id: 'ITI-42', roles: ['source'] as NodeRole[] };

function node(name: string, roles: NodeRole[], requireAssertion = false): NodeIdentity {
  return { name, facilities: [], sourceIds: [], auditSourceIds: [name], roles: new Set(roles), breakGlass: new Set(), requireAssertion };
}

const ctxOf = (n?: NodeIdentity): RequestContext => ({ transport: 'soap', address: '192.0.2.7', certificate: { subject: `CN=${n?.name ?? 'who'}`, fingerprint256: 'AB' }, node: n });
const env = (securityHeader?: string): SoapEnvelope => ({ action: 'urn:a', body: { ns: '', local: 'b', attrs: {}, children: [], text: '' }, securityHeader });

describe('SOAP admission: node, role and XUA assertion before the transaction runs', function () {
  this.timeout(20_000);
  let idp: TestIdp;
  let refusals: { ctx: RequestContext; r: SoapRefusal }[];
  let guard: SoapGuard;

  before(() => {
    idp = makeIdp('idp-adm');
  });
  beforeEach(() => {
    refusals = [];
    guard = {
      xua: new XuaVerifier([{ name: 'idp-adm', cert: idp.cert, issuer: idp.issuer }], { audiences: [], clockSkewSeconds: 60 }),
      refused: async (ctx, r) => {
        refusals.push({ ctx, r });
      },
    };
  });

  const assertionHeader = (o: Parameters<typeof signedAssertion>[1] = {}) =>
    headerDocument(requestEnvelope('urn:a', ENDPOINT, '<b/>', undefined, securityHeader(signedAssertion(idp, { audiences: [ENDPOINT], ...o }))));

  const refusal = async (p: Promise<unknown>): Promise<SoapFault> => {
    try {
      await p;
    } catch (e) {
      expect(e).to.be.instanceOf(SoapFault);
      return e as SoapFault;
    }
    return expect.fail('admitted');
  };

  it('admits a node with the role, its context unchanged without an assertion', async () => {
    const ctx = ctxOf(node('viewer', ['consumer']));
    expect(await admit(guard, silentLogger, ITI18, env(), ctx, ENDPOINT)).to.equal(ctx);
    expect(refusals).to.have.length(0);
  });

  it('carries the verified user and purpose of use in the request context', async () => {
    const ctx = ctxOf(node('viewer', ['consumer']));
    const got = await admit(guard, silentLogger, ITI18, env(assertionHeader({ nameId: 'dr.sato', subjectId: 'Sato Hanako', purposeOfUse: EMERGENCY, id: '_ctx1' })), ctx, ENDPOINT);
    expect(got.node).to.equal(ctx.node);
    expect(got.user).to.include({ id: 'dr.sato', name: 'Sato Hanako', issuer: idp.issuer, assertionId: '_ctx1' });
    expect(got.purposeOfUse?.code).to.equal('EMERGENCY');
  });

  it('refuses a peer that matched no node, and audits it', async () => {
    const f = await refusal(admit(guard, silentLogger, ITI18, env(), ctxOf(undefined), ENDPOINT));
    expect(f.code).to.equal('Sender');
    expect(f.subcode).to.deep.equal({ ns: NS.hieFault, local: 'NotAuthorized' });
    expect(refusals.map((x) => x.r)).to.deep.equal([{ transaction: 'ITI-18', endpoint: ENDPOINT, reason: f.reason }]);
  });

  it('refuses a node without the role, naming the verified user in the audit', async () => {
    const f = await refusal(admit(guard, silentLogger, ITI42, env(assertionHeader({ nameId: 'dr.sato' })), ctxOf(node('viewer', ['consumer'])), ENDPOINT));
    expect(f.subcode?.local).to.equal('NotAuthorized');
    expect(f.reason).to.match(/viewer has none of the roles source/);
    expect(refusals[0].ctx.user?.id).to.equal('dr.sato');
  });

  it('refuses a node that must send an assertion and sent none (wsse:InvalidSecurity)', async () => {
    const f = await refusal(admit(guard, silentLogger, ITI18, env(), ctxOf(node('hosp-a', ['consumer'], true)), ENDPOINT));
    expect(f.subcode).to.deep.equal({ ns: NS.wsse, local: 'InvalidSecurity' });
    expect(refusals).to.have.length(1);
    expect((await admit(guard, silentLogger, ITI18, env(assertionHeader()), ctxOf(node('hosp-a', ['consumer'], true)), ENDPOINT)).user?.id).to.equal('dr.sato');
  });

  it('refuses a bad assertion even from a node that needs none, with its WS-Security fault code', async () => {
    const f = await refusal(admit(guard, silentLogger, ITI18, env(assertionHeader({ audiences: ['urn:elsewhere'] })), ctxOf(node('viewer', ['consumer'])), ENDPOINT));
    expect(f.subcode).to.deep.equal({ ns: NS.wsse, local: 'FailedAuthentication' });
    expect(refusals[0].r.reason).to.match(/another audience/);
  });

  it('refuses every assertion when no identity provider is configured', async () => {
    const f = await refusal(admit({ refused: guard.refused }, silentLogger, ITI18, env(assertionHeader()), ctxOf(node('viewer', ['consumer'])), ENDPOINT));
    expect(f.subcode?.local).to.equal('FailedAuthentication');
  });

  it('still refuses when the audit of the refusal fails', async () => {
    const failing: SoapGuard = { refused: () => Promise.reject(new Error('store down')) };
    const f = await refusal(admit(failing, silentLogger, ITI18, env(), ctxOf(undefined), ENDPOINT));
    expect(f.subcode?.local).to.equal('NotAuthorized');
  });
});
