/**
 * POST /fhir, which MHD's ITI-65 Provide Document Bundle and ATNA's ITI-20 (a Bundle of
 * AuditEvents) share: the body settles which transaction a request is, and from then on it is that
 * one everywhere (its IUA scope, its metrics label, its audit event); and what a requester may send
 * is decided before its body is read (node role, IUA scope), the size limit of what it may call
 * enforced while reading: a declared length beyond it is answered 413 at once, with the connection
 * closed, not read off.
 */
import http from 'node:http';
import { expect } from 'chai';
import type { AuditEvent, Bundle } from 'fhir/r4.js';
import type { TestServer } from '../helpers/hieServer.ts';
import { testIssuer, type TestIssuer } from '../helpers/iuaTokens.ts';
import { provideBundle } from '../helpers/mhd.ts';
import { startXdsServer } from '../helpers/xds.ts';

const auditEvent: AuditEvent = {
  resourceType: 'AuditEvent',
  type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112', display: 'Query' },
  action: 'E',
  recorded: '2024-05-01T10:00:00+09:00',
  outcome: '0',
  agent: [{ type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153' }] }, who: { identifier: { value: 'mobile-app' } }, requestor: true }],
  source: { observer: { display: 'MHD_CONSUMER' } },
};
const auditBundle = { resourceType: 'Bundle', type: 'batch', entry: [{ resource: auditEvent, request: { method: 'POST', url: 'AuditEvent' } }] };

/** POST with a declared Content-Length, sending only the body's first bytes: the answer must come without the rest. */
function postDeclared(port: number, declared: number, headers: Record<string, string> = {}): Promise<{ status: number; connection?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/fhir', method: 'POST', headers: { 'content-type': 'application/fhir+json', 'content-length': String(declared), ...headers } });
    const timer = setTimeout(() => (req.destroy(), reject(new Error('no answer before the body was sent: the server waits to read it'))), 5000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode!, connection: res.headers.connection, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    // The server closes the connection while the client would still send: not this test's failure.
    req.on('error', () => undefined);
    req.write('{"resourceType":"Bundle","type":"transaction","entry":[');
  });
}

/** POST in chunks without a declared length, sending on until the server answers (or 64 MB). */
function postChunked(port: number): Promise<{ status: number; connection?: string; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/fhir', method: 'POST', headers: { 'content-type': 'application/fhir+json', 'transfer-encoding': 'chunked' } });
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, connection: res.headers.connection, body: Buffer.concat(chunks).toString('utf8'), sent });
      });
    });
    req.on('error', () => undefined);
    req.write('{"resourceType":"Bundle","type":"batch","entry":[],"pad":"');
    const more = () => {
      if (answered || req.destroyed) return;
      if (sent >= 64 * 1024 * 1024) return reject(new Error('64 MB sent without an answer: the server reads on'));
      sent += chunk.length;
      if (req.write(chunk)) setImmediate(more);
      else req.once('drain', more);
    };
    more();
  });
}

const metric = async (s: TestServer, transaction: string, outcome: string) => {
  const text = await s.app.metrics.metrics();
  const line = text.split('\n').find((l) => l.startsWith('hie_transactions_total{') && l.includes(`transaction="${transaction}"`) && l.includes('edge="fhir"') && l.includes(`outcome="${outcome}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};
const audits = async (s: TestServer) => {
  await s.app.atna.ingest.flushed();
  return s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
};

describe('POST /fhir shared by ITI-65 and ITI-20 (e2e)', function () {
  this.timeout(120_000);

  describe('with IUA: each transaction its own scope, metrics label and audit event', () => {
    let s: TestServer;
    let base: string;
    let idp: TestIssuer;
    before(async () => {
      idp = await testIssuer();
      ({ s } = await startXdsServer(['POST-1'], { iua: { issuers: [idp.config] } }));
      base = `http://127.0.0.1:${s.app.ports.http}/fhir`;
    });
    after(() => s?.stop());

    const post = async (scope: string, body: unknown) =>
      fetch(base, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${await idp.token({ scope })}` }, body: JSON.stringify(body) });

    it('ITI-65 takes the scope ITI-65, is counted and audited as ITI-65; ITI-20 stays ITI-20', async () => {
      const provided = await post('ITI-65', provideBundle({ patient: 'POST-1', docs: [{}] }));
      expect(provided.status).to.equal(200);
      expect(((await provided.json()) as Bundle).type).to.equal('transaction-response');
      const sent = await post('ITI-20', auditBundle);
      expect(sent.status).to.equal(200);
      expect(await metric(s, 'ITI-65', 'success')).to.equal(1);
      expect(await metric(s, 'ITI-20', 'success')).to.equal(1);
      const own = (await audits(s)).filter((e) => e.transport === 'self');
      expect(own.filter((e) => e.eventTypeCode === 'ITI-65' && e.outcome === 0)).to.have.length(1);
    });

    it('refuses a body of the other transaction than the token grants: 403 insufficient_scope naming the one it is', async () => {
      const mhd = await post('ITI-20', provideBundle({ patient: 'POST-1', docs: [{}] }));
      expect(mhd.status).to.equal(403);
      expect(mhd.headers.get('www-authenticate')).to.match(/error="insufficient_scope"/).and.match(/scope="ITI-65"/);
      const atna = await post('ITI-65', auditBundle);
      expect(atna.status).to.equal(403);
      expect(atna.headers.get('www-authenticate')).to.match(/scope="ITI-20"/);
      expect(await metric(s, 'ITI-65', 'refused')).to.be.greaterThan(0);
    });

    it('refuses a token with neither scope before reading the body', async () => {
      const r = await postDeclared(s.app.ports.http!, 50 * 1024 * 1024, { authorization: `Bearer ${await idp.token({ scope: 'ITI-78' })}` });
      expect(r.status).to.equal(403);
      expect(JSON.parse(r.body).resourceType).to.equal('OperationOutcome');
    });

    it('takes ITI-20 up to its own limit for a token without ITI-65: a larger declared body is answered 413 at once, the connection closed', async () => {
      const r = await postDeclared(s.app.ports.http!, 11 * 1024 * 1024, { authorization: `Bearer ${await idp.token({ scope: 'ITI-20' })}` });
      expect(r.status).to.equal(413);
      expect(r.connection).to.equal('close');
      const o = JSON.parse(r.body) as { resourceType: string; issue: { code: string }[] };
      expect([o.resourceType, o.issue[0].code]).to.deep.equal(['OperationOutcome', 'too-costly']);
    });
  });

  describe('a node without the role source', () => {
    let s: TestServer;
    let port: number;
    before(async () => {
      ({ s } = await startXdsServer([], { access: { local: { roles: ['consumer', 'auditor'] } } }));
      port = s.app.ports.http!;
    });
    after(() => s?.stop());

    it('may send ITI-20 up to 10 MB only: a larger declared body is refused 413 before it is read, a chunked one once it passes 10 MB', async () => {
      const r = await postDeclared(port, 11 * 1024 * 1024);
      expect(r.status).to.equal(413);
      expect(r.connection).to.equal('close');
      expect(JSON.parse(r.body).resourceType).to.equal('OperationOutcome');
      // The same for a body sent in chunks: answered once it passes 10 MB, not read to its end.
      const chunked = await postChunked(port);
      expect([chunked.status, chunked.connection]).to.deep.equal([413, 'close']);
      expect(JSON.parse(chunked.body).resourceType).to.equal('OperationOutcome');
      expect(chunked.sent).to.be.below(64 * 1024 * 1024);
      // The server still answers on a new connection.
      expect((await fetch(`http://127.0.0.1:${port}/fhir/metadata`)).status).to.equal(200);
    });

    it('is refused ITI-65 (403, audited as an ITI-65 failure and a Security Alert)', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(provideBundle({ patient: 'POST-2', docs: [{}] })) });
      expect(r.status).to.equal(403);
      expect(((await r.json()) as { issue: { code: string }[] }).issue[0].code).to.equal('forbidden');
      const own = (await audits(s)).filter((e) => e.transport === 'self');
      expect(own.some((e) => e.eventTypeCode === 'ITI-65' && e.outcome !== 0)).to.equal(true);
      expect(own.some((e) => e.eventId === '110113')).to.equal(true);
      expect(await metric(s, 'ITI-65', 'refused')).to.equal(1);
    });
  });
});
