/**
 * IUA on the FHIR base (issue 18; ITI-72 at the Resource Server): with `iua.issuers` configured,
 * every face (PIXm, PDQm, ITI-81) asks for a JWT bearer token; a missing or bad one is answered 401
 * (a missing scope 403) with a WWW-Authenticate challenge (RFC 6750 3) and an OperationOutcome, and
 * audited as a Security Alert; a good one puts its user and purpose of use into the request context,
 * where consent (break-glass) and the audit trail see them. Driven with fhir-kit-client.
 */
import { expect } from 'chai';
import type { Bundle, CapabilityStatement, Patient } from 'fhir/r4.js';
import { PATIENT_NOTIFICATIONS_CHANNEL } from '../../src/consent/service.ts';
import { fhirClient, issue, refusal, valid } from '../helpers/fhirClient.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { testIssuer, type TestIssuer } from '../helpers/iuaTokens.ts';

const HOSP_A = { namespace: 'HOSP_A', oid: '1.2.392.999.1' };
const HOSP_B = { namespace: 'HOSP_B', oid: '1.2.392.999.2' };

describe('IUA bearer tokens on the FHIR base (ITI-72, fhir-kit-client)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let base: string;
  let idp: TestIssuer;
  let other: TestIssuer;
  let impostor: TestIssuer;

  before(async () => {
    idp = await testIssuer();
    // The FHIR schema is compiled here, not in a pause between two requests of a test.
    valid({ resourceType: 'Bundle', type: 'searchset' });
    other = await testIssuer('https://other-idp.example.jp', 'o1');
    // Same issuer name and key id as idp, another key: its signatures must not verify.
    impostor = await testIssuer(idp.issuer, 'k1');
    s = await startTestServer({
      identity: { domains: [HOSP_A, HOSP_B] },
      // The loopback client acts for HOSP_B, which holds no record of the patient below: it finds the
      // patient only once enrolled, or by break-glass (EMERGENCY).
      access: { local: { facilities: ['HOSP_B'], roles: ['consumer', 'auditor'], breakGlass: ['EMERGENCY'] } },
      iua: { issuers: [idp.config], requiredScopes: ['user/Patient.read'], clockSkewSeconds: 30 },
    } as never);
    base = `http://127.0.0.1:${s.app.ports.http}/fhir`;
    await s.app.store.write(async (tx) => {
      const domain = (await s.app.identity.domains.find(tx, HOSP_A))!;
      const demographics = { fields: { 5: [[['山田'], ['太郎'], [], [], [], [], ['L'], ['I']]], 7: [[['19700101']]], 8: [[['M']]] } };
      await s.app.identity.registerFeed(tx, { identifiers: [{ domain, id: 'IUA-1' }], demographics });
    });
  });
  after(() => s?.stop());

  const audits = async () => {
    await s.app.atna.ingest.flushed();
    return (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport === 'self');
  };
  const search = (token?: string, searchParams: Record<string, string> = { family: '山田' }) => fhirClient(base, token).search({ resourceType: 'Patient', searchParams }) as Promise<unknown> as Promise<Bundle>;
  const pix = (token?: string) => fhirClient(base, token).operation({ name: '$ihe-pix', resourceType: 'Patient', method: 'GET', input: { sourceIdentifier: `urn:oid:${HOSP_A.oid}|IUA-1` } });
  const emergency = { extensions: { ihe_iua: { subject_name: '救急 医師', subject_organization: '登呂救急センター', purpose_of_use: { system: '2.16.840.1.113883.1.11.20448', code: 'EMERGENCY' } } } };

  it('serves GET /metadata without a token, and says there that IUA (OAuth) protects the rest', async () => {
    const cs = valid((await fhirClient(base).capabilityStatement()) as unknown as CapabilityStatement);
    expect(cs.rest![0].security!.service![0].coding![0].code).to.equal('OAuth');
  });

  it('answers a request without a token 401 with a Bearer challenge without error code, an OperationOutcome, and a Security Alert', async () => {
    const before = (await audits()).length;
    const r = await refusal(search());
    expect(r.status).to.equal(401);
    expect(r.headers.get('www-authenticate')).to.equal('Bearer realm="hie"');
    expect(issue(r).code).to.equal('login');
    const alert = (await audits()).slice(before).find((e) => e.eventId === '110113');
    expect(alert, 'a Security Alert').to.not.equal(undefined);
    expect(alert!.xml).to.include(Buffer.from('ITI-72').toString('base64'));
    // ITI-81 (the ATNA face) is behind the same gate, and so is PIXm.
    expect((await refusal(fhirClient(base).search({ resourceType: 'AuditEvent', searchParams: {} }))).status).to.equal(401);
    expect((await refusal(pix())).status).to.equal(401);
  });

  it('answers each bad token 401 invalid_token (a missing scope 403 insufficient_scope), with RFC 6750 challenges', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string, number, string, RegExp][] = [
      ['expired', await idp.token({ exp: now - 120, iat: now - 600 }), 401, 'invalid_token', /expired/],
      ['wrong audience', await idp.token({ aud: 'https://elsewhere.example/fhir' }), 401, 'invalid_token', /audience/],
      ['untrusted issuer', await other.token(), 401, 'invalid_token', /trusted issuer/],
      ['bad signature', await impostor.token(), 401, 'invalid_token', /signature/],
      ['no exp', await idp.token({ exp: null }), 401, 'invalid_token', /exp/],
      ['not yet valid', await idp.token({ nbf: now + 3600 }), 401, 'invalid_token', /not valid yet/],
      ['no sub', await idp.token({ sub: null }), 401, 'invalid_token', /sub/],
      ['not a JWT', 'abc.def', 401, 'invalid_token', /not a JWT/],
      ['missing scope', await idp.token({ scope: 'user/Observation.read' }), 403, 'insufficient_scope', /user\/Patient\.read/],
    ];
    for (const [what, token, status, error, description] of cases) {
      const r = await refusal(search(token));
      expect(r.status, what).to.equal(status);
      const challenge = r.headers.get('www-authenticate')!;
      expect(challenge, what).to.match(new RegExp(`^Bearer realm="hie", error="${error}", error_description="[^"]+"`));
      expect(challenge, what).to.match(description);
      expect(issue(r).code, what).to.equal(status === 403 ? 'forbidden' : 'login');
      if (status === 403) expect(challenge).to.include('scope="user/Patient.read"');
    }
    // Each transaction asks for its own scope (PIXm 2:3.83.5.2: `scope: ITI-83`; PDQm: `ITI-78`).
    const noPix = await refusal(pix(await idp.token({ scope: 'user/Patient.read ITI-78' })));
    expect([noPix.status, noPix.headers.get('www-authenticate')]).to.deep.equal([403, 'Bearer realm="hie", error="insufficient_scope", error_description="the token does not grant the scope ITI-83", scope="ITI-83"']);
    expect((await refusal(search(await idp.token({ scope: 'user/Patient.read ITI-83' })))).status).to.equal(403);
    const malformed = await fetch(`${base}/Patient?family=x`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(malformed.status).to.equal(401);
    expect(malformed.headers.get('www-authenticate')).to.match(/error="invalid_request"/);
    valid(await malformed.json());
  });

  it('takes a good token: the user and purpose of use join the request context, audited as the requester', async () => {
    const before = (await audits()).length;
    const b = valid(await search(await idp.token()));
    // TREATMENT by a facility without a record of a patient not enrolled: not found.
    expect(b.entry ?? []).to.have.length(0);
    const e = (await audits()).slice(before).find((x) => x.xml.includes('csd-code="ITI-78"'))!;
    expect(e.xml).to.include(`UserName="&lt;dr-sato@${idp.issuer}&gt;"`);
    expect(e.xml).to.include('csd-code="TREATMENT"');
  });

  it('lets consent see the token\'s purpose of use: EMERGENCY breaks the glass for a node allowed to, and the patient is told', async () => {
    const notes = () => s.app.store.read((tx) => tx.outbox.pendingCount(PATIENT_NOTIFICATIONS_CHANNEL));
    const n = await notes();
    const b = valid(await search(await idp.token(emergency)));
    expect(b.entry!.map((x) => (x.resource as Patient).name![0].family)).to.deep.equal(['山田']);
    expect(await notes()).to.equal(n + 1);
    const p = valid((await pix(await idp.token(emergency))) as unknown as { resourceType: string; parameter: unknown[] });
    expect(p.resourceType).to.equal('Parameters');
    const refused = await refusal(pix(await idp.token()));
    expect(refused.status, 'TREATMENT: an unknown identifier, as ITI-9 answers').to.equal(404);
  });

  it('keeps a search\'s next link to the user that opened it', async () => {
    // Two patients found by break-glass make a page of one and a next link.
    await s.app.store.write(async (tx) => {
      const domain = (await s.app.identity.domains.find(tx, HOSP_A))!;
      const demographics = { fields: { 5: [[['山田'], ['次郎'], [], [], [], [], ['L'], ['I']]], 7: [[['19720101']]], 8: [[['M']]] } };
      await s.app.identity.registerFeed(tx, { identifiers: [{ domain, id: 'IUA-2' }], demographics });
    });
    const first = valid(await search(await idp.token(emergency), { family: '山田', _count: '1' }));
    const next = first.link!.find((l) => l.relation === 'next')!.url;
    const stranger = await idp.token({ ...emergency, sub: 'dr-kato' });
    const r = await refusal(fhirClient(base, stranger).request(next));
    expect(r.status).to.equal(410);
    const second = valid((await fhirClient(base, await idp.token(emergency)).request(next)) as unknown as Bundle);
    expect(second.entry).to.have.length(1);
    expect(second.entry![0].resource!.id).to.not.equal(first.entry![0].resource!.id);
  });
});
