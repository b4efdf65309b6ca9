import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { setHttpContext } from '../kernel/httpContext.ts';
import { internalContext } from '../kernel/requestContext.ts';
import { currentRequest } from '../kernel/requestScope.ts';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
import type { TransactionObservation } from '../kernel/transactionObserver.ts';
import { fhirBase } from './base.ts';
import { searchFormBody } from './body.ts';
import { FhirError, sendResource } from './outcome.ts';

describe('the FHIR base: faces behind one gate, the rest as OperationOutcome', () => {
  let server: http.Server;
  let base: string;
  const seen: TransactionObservation[] = [];
  const errors: unknown[] = [];

  /** How often the base read what the face serves (the CapabilityStatement is made once). */
  let capabilityReads = 0;
  const thing = [{ type: 'Thing' as never, interaction: [{ code: 'read' as const }, { code: 'search-type' as const }] }];

  before(async () => {
    const face = express.Router();
    face.get('/Thing', (_req, res) => sendResource(res, 200, { resourceType: 'Bundle', type: 'searchset' }));
    face.post('/Thing/_search', searchFormBody(), (req, res) => sendResource(res, 200, { resourceType: 'Bundle', type: 'searchset', total: Object.keys(req.body as object).length }));
    face.get('/Thing/scope', (_req, res) => sendResource(res, 200, { resourceType: 'Basic', id: currentRequest()?.transaction ?? 'none' }));
    face.post('/Thing/scope/_search', searchFormBody(), (_req, res) => sendResource(res, 200, { resourceType: 'Basic', id: currentRequest()?.transaction ?? 'none' }));
    face.get('/Thing/:id', (req, _res, next) =>
      next(req.params.id === 'boom' ? new Error('boom') : req.params.id === 'down' ? new StoreUnavailableError('PostgreSQL at db is unavailable') : new FhirError(404, 'not-found', 'no such thing')),
    );
    const app = express();
    app.use((req, _res, next) => (setHttpContext(req, internalContext('test')), next()));
    app.use(
      '/fhir',
      fhirBase({
        faces: [
          {
            name: 'Test',
            router: face,
            get resources() {
              capabilityReads++;
              return thing;
            },
            transactionOf: (_m, p) => (p.startsWith('/Thing') ? 'T-1' : undefined),
          },
        ],
        software: { name: 'hie', version: 'test' },
        authorize: (req, res, next) => (req.get('x-deny') ? sendResource(res, 401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }) : next()),
        onError: (_path, e) => errors.push(e),
        observe: (o) => seen.push(o),
      }),
    );
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, init);
    expect(res.headers.get('content-type')).to.match(/^application\/fhir\+json/);
    return { status: res.status, allow: res.headers.get('allow'), body: (await res.json()) as { resourceType: string; issue?: { code: string }[] } };
  };

  it('makes the CapabilityStatement once, at assembly: each /metadata only names the base the client reached', async () => {
    const built = capabilityReads;
    expect(built).to.be.greaterThan(0);
    const first = await fetch(`${base}/metadata`);
    // Another Host (fetch may not set one): the same statement, under the base that client reached.
    const again = await new Promise<string>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port: new URL(base).port, path: '/fhir/metadata', headers: { host: `localhost:${new URL(base).port}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      }).on('error', reject),
    );
    const [a, b] = [(await first.json()) as { implementation: { url: string }; date: string }, JSON.parse(again) as { implementation: { url: string }; date: string }];
    expect(a.implementation.url).to.equal(base);
    expect(b.implementation.url).to.equal(`http://localhost:${new URL(base).port}/fhir`);
    expect(b.date).to.equal(a.date);
    // What the faces serve is read at assembly only.
    expect((await fetch(`${base}/Thing/1`, { method: 'DELETE' })).headers.get('allow')).to.equal('GET');
    expect(capabilityReads).to.equal(built);
  });

  it('runs a face in the request scope of its transaction (the store routes reads by it)', async () => {
    expect((await call('/Thing/scope')).body).to.deep.include({ id: 'T-1' });
    const form = await call('/Thing/scope/_search', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.body, 'after the body is read too').to.deep.include({ id: 'T-1' });
  });

  it('answers /metadata before the gate, the faces behind it', async () => {
    expect((await call('/metadata', { headers: { 'x-deny': '1' } })).body.resourceType).to.equal('CapabilityStatement');
    expect((await call('/Thing', { headers: { 'x-deny': '1' } })).status).to.equal(401);
    expect((await call('/Thing')).status).to.equal(200);
  });

  it('answers 404, 405 with Allow, 415 and a face error as OperationOutcome; an unexpected error as 500 without detail', async () => {
    expect((await call('/Nothing')).status).to.equal(404);
    const del = await call('/Thing/1', { method: 'DELETE' });
    expect([del.status, del.allow, del.body.issue![0].code]).to.deep.equal([405, 'GET', 'not-supported']);
    expect((await call('/Thing/_search', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).to.equal(415);
    expect((await call('/Thing/x')).body.issue![0].code).to.equal('not-found');
    const down = await call('/Thing/down');
    expect([down.status, down.body.issue![0].code], 'the database gone: 503 transient').to.deep.equal([503, 'transient']);
    const boom = await call('/Thing/boom');
    expect([boom.status, boom.body.issue![0].code]).to.deep.equal([500, 'exception']);
    expect(errors).to.have.length(1);
  });

  it('takes a search form, and refuses one the parser cannot take with a 4xx OperationOutcome', async () => {
    const ok = await call('/Thing/_search', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2' });
    expect(ok.body).to.deep.include({ total: 2 });
    const many = await call('/Thing/_search', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Array.from({ length: 300 }, (_, i) => `p${i}=1`).join('&') });
    expect(many.status).to.equal(413);
    expect(many.body.resourceType).to.equal('OperationOutcome');
  });

  it('observes the requests of a face that names its transaction', () => {
    expect(seen.filter((o) => o.transaction === 'T-1').length).to.be.greaterThan(3);
    expect(seen.every((o) => o.edge === 'fhir')).to.equal(true);
  });
});
