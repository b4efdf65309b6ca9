/**
 * A method a FHIR path does not take (FHIR R4 http.html; RFC 9110 15.5.6): 405 with an Allow header
 * listing the methods the path does take, and an OperationOutcome, on every face of the FHIR base
 * (MHD, ATNA, PIXm, PDQm) and the base itself.
 */
import { expect } from 'chai';
import type { OperationOutcome } from 'fhir/r4.js';
import type { TestServer } from '../helpers/hieServer.ts';
import { startXdsServer } from '../helpers/xds.ts';

describe('405 Method Not Allowed with Allow on every FHIR face (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let base: string;
  before(async () => {
    ({ s } = await startXdsServer([]));
    base = `http://127.0.0.1:${s.app.ports.http}/fhir`;
  });
  after(() => s?.stop());

  it('answers 405 with the methods each path takes', async () => {
    const uuid = '0c9b4a57-1c5e-4b0e-8a43-2f6f0d1b2a11';
    const json = { 'content-type': 'application/fhir+json' };
    const cases: [string, string, string, Record<string, string>?][] = [
      ['DELETE', `DocumentReference/${uuid}`, 'GET'],
      ['PUT', `DocumentReference/${uuid}`, 'GET', json],
      ['POST', 'DocumentReference', 'GET', json],
      ['DELETE', 'List', 'GET'],
      ['PATCH', `List/${uuid}`, 'GET', json],
      ['PUT', `Binary/${uuid}`, 'GET', json],
      ['POST', 'Binary', ''],
      ['GET', 'DocumentReference/_search', 'POST'],
      ['DELETE', 'AuditEvent/1', 'GET'],
      ['PUT', 'AuditEvent', 'GET, POST', json],
      ['DELETE', 'Patient/$ihe-pix', 'GET, POST'],
      ['DELETE', 'Patient/x1', 'GET'],
      ['PUT', 'Patient', 'GET', json],
      ['POST', 'metadata', 'GET', json],
      ['GET', '', 'POST'],
    ];
    for (const [method, path, allow, headers] of cases) {
      const r = await fetch(`${base}/${path}`, { method, headers, ...(headers ? { body: '{}' } : {}) });
      if (allow === '') {
        // A path no interaction serves at all is 404, not 405 (Binary is read only, by id).
        expect(r.status, `${method} ${path}`).to.equal(404);
        continue;
      }
      expect(r.status, `${method} ${path}`).to.equal(405);
      expect(r.headers.get('allow'), `${method} ${path}`).to.equal(allow);
      const o = (await r.json()) as OperationOutcome;
      expect([o.resourceType, o.issue[0].code], `${method} ${path}`).to.deep.equal(['OperationOutcome', 'not-supported']);
    }
  });
});
