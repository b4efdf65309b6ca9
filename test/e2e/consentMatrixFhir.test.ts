/**
 * The consent matrix of the SOAP and HL7 v2 side (consentMatrix.test.ts: consent states by
 * requesters) asked again through PIXm ITI-83 and PDQm ITI-78 (issue 18), and answered the same
 * way: where ITI-9 answers AA the PIXm answer is 200 with the patient's identifiers, where ITI-9
 * answers AE (unknown identifier) PIXm answers 404 "sourceIdentifier Patient Identifier not found";
 * PDQm search finds the patient exactly when ITI-21 does, and PDQm read answers 200 or 404 the same.
 * Real consent service, real transactions; the FHIR base is served over a real socket and driven
 * by fhir-kit-client, the requester given to the edge as the listener would make it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import type { Bundle, Parameters, Patient } from 'fhir/r4.js';
import { emptyTerms, type ConsentTerms } from '../../src/consent/model.ts';
import { PATIENT_NOTIFICATIONS_CHANNEL } from '../../src/consent/service.ts';
import { setHttpContext } from '../../src/kernel/httpContext.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import type { NodeIdentity, RequestContext } from '../../src/kernel/requestContext.ts';
import { FhirSchemaValidator } from '../../src/fhir/schemaValidator.ts';
import { fhirSurface, patientFaces } from '../../src/server/fhirFaces.ts';
import { fhirClient, issue, refusal, valid } from '../helpers/fhirClient.ts';
import { HOSP_A, readFixture, testNode as node, type ReadFixture } from '../helpers/readFixture.ts';
import { readPaths, type ReadPaths } from '../helpers/readPaths.ts';

const HOSP_B = '1.2.392.999.2';
const HOSP_C = '1.2.392.999.3';
const PEER = 'urn:oid:1.2.392.999.900';
const PSY = { code: 'PSY', codingScheme: '1.2.392.999.9.1' };

const asker = (n: NodeIdentity, purpose?: string): RequestContext => ({ transport: 'http', address: '192.0.2.10', node: n, ...(purpose ? { purposeOfUse: { code: purpose } } : {}) });

/** The requesters of the SOAP matrix, the same nodes. */
const REQUESTERS: Record<string, RequestContext> = {
  own: asker(node('hosp-a', [HOSP_A.oid], ['source', 'consumer'])),
  other: asker(node('hosp-b', [HOSP_B], ['consumer'])),
  peer: asker(node('peer-gw', [], ['gateway'], { homeCommunityId: PEER })),
  emergency: asker(node('er-c', [HOSP_C], ['consumer'], { breakGlass: new Set(['EMERGENCY']) }), 'EMERGENCY'),
  auditor: asker(node('audit-office', [], ['auditor'])),
};

const terms = (t: Partial<ConsentTerms>): ConsentTerms => ({ ...emptyTerms(), ...t });
const STATES: { name: string; terms?: ConsentTerms; revoke?: true }[] = [
  { name: 'not enrolled (opt-in region)' },
  { name: 'opted in, every facility', terms: terms({ participation: 'opted-in' }) },
  { name: 'opted in, psychiatry withheld', terms: terms({ participation: 'opted-in', withheld: { ...emptyTerms().withheld, classCodes: [PSY] } }) },
  { name: 'opted in, HOSP_C and the peer region only', terms: terms({ participation: 'opted-in', facilities: [HOSP_C], peerRegions: [PEER] }) },
  { name: 'opted out', terms: terms({ participation: 'opted-out' }) },
  { name: 'revoked', terms: terms({ participation: 'opted-in' }), revoke: true },
];

/** Whether the requester finds the patient, by the SOAP matrix (consentMatrix.test.ts MATRIX, its `patient` column). */
const FINDS: Record<string, Record<string, boolean>> = {
  'not enrolled (opt-in region)': { own: true, other: false, peer: false, emergency: true, auditor: false },
  'opted in, every facility': { own: true, other: true, peer: false, emergency: true, auditor: false },
  'opted in, psychiatry withheld': { own: true, other: true, peer: false, emergency: true, auditor: false },
  'opted in, HOSP_C and the peer region only': { own: true, other: false, peer: true, emergency: true, auditor: false },
  'opted out': { own: true, other: false, peer: false, emergency: true, auditor: false },
  revoked: { own: true, other: false, peer: false, emergency: true, auditor: false },
};

describe('Consent matrix through PIXm and PDQm: answered as ITI-9 and ITI-21 answer it (real consent service, fhir-kit-client)', function () {
  this.timeout(120_000);
  let f: ReadFixture;
  let paths: ReadPaths;
  let server: http.Server;
  let base: string;
  const locals = new Map<string, string>();

  before(async () => {
    f = await readFixture({ consent: true });
    paths = readPaths(f);
    for (const [i, s] of STATES.entries()) {
      const personId = await f.patient(`CMF-${i}`, [{ authority: HOSP_A, id: `CMF-L${i}` }], `FMATRIX${i}^TARO`);
      if (s.terms) await f.store.write((tx) => f.consent.set(tx, personId, s.terms!, { who: 'desk', source: { kind: 'desk' } }));
      if (s.revoke) await f.store.write((tx) => f.consent.revoke(tx, personId, { who: 'desk', source: { kind: 'desk' } }));
      locals.set(s.name, `CMF-L${i}`);
    }
    const app = express();
    // The requester as the HTTP listener makes it (from the TLS certificate), here named by a header.
    app.use((req, _res, next) => {
      setHttpContext(req, REQUESTERS[String(req.headers['x-requester'])]);
      next();
    });
    const deps = { config: f.config, store: f.store, identity: f.identity, consent: f.consent, audit: f.audit, schema: new FhirSchemaValidator(), log: silentLogger };
    app.use('/fhir', fhirSurface({ ...deps, faces: patientFaces(deps) }));
    server = http.createServer(app);
    // Idle keep-alive connections stay open longer than any pause between this test's requests.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // The schema is compiled once, here, not between two requests of a test.
    valid({ resourceType: 'Bundle', type: 'searchset' });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await f?.close();
  });

  const as = (who: string) => fhirClient(base, undefined, { 'x-requester': who });

  for (const [index, state] of STATES.entries()) {
    describe(state.name, () => {
      for (const who of Object.keys(REQUESTERS)) {
        const finds = FINDS[state.name][who];
        it(`${who}: ${finds ? 'finds' : 'does not find'} the patient, through PIXm and PDQm as through ITI-9 and ITI-21`, async () => {
          const ctx = REQUESTERS[who];
          const client = as(who);
          const local = locals.get(state.name)!;
          const v2Pix = await paths.iti9(ctx, `${local}^^^HOSP_A&1.2.392.999.1&ISO`);
          const v2Pdq = await paths.iti21(ctx, `FMATRIX${index}`);
          expect(v2Pix.ack, 'ITI-9').to.equal(finds ? 'AA' : 'AE');
          const pixm = () => client.operation({ name: '$ihe-pix', resourceType: 'Patient', method: 'GET', input: { sourceIdentifier: `urn:oid:${HOSP_A.oid}|${local}` } });
          const search = () => client.search({ resourceType: 'Patient', searchParams: { family: `FMATRIX${index}` } });
          const read = () => client.read({ resourceType: 'Patient', id: `CMF-${index}` });
          if (who === 'auditor') {
            // No consumer role: refused at the edge, as the MLLP endpoint refuses the node (ITI-9 and ITI-21 never run).
            for (const p of [pixm, search, read]) expect((await refusal(p())).status).to.equal(403);
            return;
          }
          const v2Found = (v2Pdq.body ?? []).filter((seg) => seg.startsWith('PID|')).length;
          if (finds) {
            const p = valid((await pixm()) as unknown as Parameters);
            expect(p.parameter!.some((x) => x.name === 'targetIdentifier' && x.valueIdentifier!.value === `CMF-${index}`), 'PIXm').to.equal(true);
            expect(valid((await search()) as unknown as Bundle).entry!.length, 'PDQm search').to.equal(v2Found).and.to.equal(1);
            expect(valid((await read()) as unknown as Patient).id, 'PDQm read').to.equal(`CMF-${index}`);
          } else {
            const r = await refusal(pixm());
            expect([r.status, issue(r).diagnostics], 'PIXm').to.deep.equal([404, 'sourceIdentifier Patient Identifier not found']);
            expect(valid((await search()) as unknown as Bundle).entry ?? [], 'PDQm search').to.have.length(v2Found).and.to.have.length(0);
            expect((await refusal(read())).status, 'PDQm read').to.equal(404);
          }
        });
      }
    });
  }

  it('queues a patient notification when the emergency requester found a withheld patient through PDQm, and only then', async () => {
    const notes = () => f.store.read((tx) => tx.outbox.pendingCount(PATIENT_NOTIFICATIONS_CHANNEL));
    const before = await notes();
    await as('emergency').search({ resourceType: 'Patient', searchParams: { family: `FMATRIX${STATES.findIndex((s) => s.name === 'opted in, every facility')}` } });
    expect(await notes(), 'shared anyway: no break-glass').to.equal(before);
    await as('emergency').search({ resourceType: 'Patient', searchParams: { family: `FMATRIX${STATES.findIndex((s) => s.name === 'opted out')}` } });
    expect(await notes()).to.equal(before + 1);
  });
});
