/**
 * ITI-68 Retrieve Document streamed from the repository (issue 18): the bytes and the Binary
 * resource's base64 written as they are read, with their Content-Length; a blob missing from the
 * repository answered 404 and one that cannot be read 500, each an OperationOutcome, the server
 * still serving; and the audit message written when the answer has ended, with the outcome it had
 * (success, or a failure when the client went away before the end).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import type { Bundle, OperationOutcome } from 'fhir/r4.js';
import type { TestServer } from '../helpers/hieServer.ts';
import { provideBundle } from '../helpers/mhd.ts';
import { startXdsServer } from '../helpers/xds.ts';

describe('MHD ITI-68 Retrieve Document, streamed (e2e)', function () {
  this.timeout(120_000);
  let s: TestServer;
  let base: string;

  before(async () => {
    ({ s } = await startXdsServer(['RET-1']));
    base = `http://127.0.0.1:${s.app.ports.http}/fhir`;
  });
  after(() => s?.stop());

  /** Provides one document; its Binary URL and blob file. */
  const provide = async (content: Buffer) => {
    const r = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(provideBundle({ patient: 'RET-1', docs: [{ content }] })) });
    expect(r.status).to.equal(200);
    const location = ((await r.json()) as Bundle).entry![2].response!.location!;
    const sha1 = createHash('sha1').update(content).digest('hex');
    return { url: `${base}/${location}`, blob: path.join(s.dataDir, 'blobs', sha1.slice(0, 2), sha1) };
  };
  const retrieveAudits = async () => {
    await s.app.atna.ingest.flushed();
    return (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport === 'self' && e.eventTypeCode === 'ITI-68');
  };
  const until = async <T>(f: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 100; i++) {
      const v = await f();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('timed out');
  };

  it('streams the bytes with their Content-Length, and the Binary resource with its base64, audited as a success', async () => {
    const content = Buffer.alloc(1024 * 1024 + 1, 0);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7) & 0xff;
    const { url } = await provide(content);
    const before = (await retrieveAudits()).length;
    const bytes = await fetch(url);
    expect([bytes.status, bytes.headers.get('content-length')]).to.deep.equal([200, String(content.length)]);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(content)).to.equal(true);
    const binary = await fetch(url, { headers: { accept: 'application/fhir+json' } });
    const text = await binary.text();
    expect(binary.headers.get('content-type')).to.match(/^application\/fhir\+json/);
    expect(Number(binary.headers.get('content-length'))).to.equal(Buffer.byteLength(text));
    const b = JSON.parse(text) as { resourceType: string; contentType: string; data: string };
    expect([b.resourceType, b.contentType]).to.deep.equal(['Binary', 'text/plain']);
    expect(Buffer.from(b.data, 'base64').equals(content)).to.equal(true);
    const events = await until(async () => ((await retrieveAudits()).length >= before + 2 ? (await retrieveAudits()).slice(before) : undefined));
    expect(events.map((e) => e.outcome)).to.deep.equal([0, 0]);
  });

  it('audits a retrieve the client abandoned as a failure, written when the answer ended', async () => {
    const content = Buffer.alloc(20 * 1024 * 1024, 0x61);
    const { url } = await provide(content);
    const before = (await retrieveAudits()).length;
    await new Promise<void>((resolve, reject) => {
      const req = http.get(url, (res) => {
        expect(res.statusCode).to.equal(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    });
    const [event] = await until(async () => {
      const all = await retrieveAudits();
      return all.length > before ? all.slice(before) : undefined;
    });
    expect(event.outcome).to.equal(4);
    expect(event.xml).to.contain('the client closed the connection before the document was sent');
  });

  it('answers a blob missing from the repository 404, and one it cannot read 500, as OperationOutcomes, and keeps serving', async () => {
    const missing = await provide(Buffer.from('this blob goes missing'));
    fs.rmSync(missing.blob);
    const gone = await fetch(missing.url);
    expect(gone.status).to.equal(404);
    expect(((await gone.json()) as OperationOutcome).resourceType).to.equal('OperationOutcome');

    const unreadable = await provide(Buffer.from('this blob becomes a folder'));
    fs.rmSync(unreadable.blob);
    fs.mkdirSync(unreadable.blob);
    for (const accept of ['*/*', 'application/fhir+json']) {
      const broken = await fetch(unreadable.url, { headers: { accept } });
      expect(broken.status, accept).to.equal(500);
      const o = (await broken.json()) as OperationOutcome;
      expect([o.resourceType, o.issue[0].code]).to.deep.equal(['OperationOutcome', 'exception']);
    }
    const outcomes = (await retrieveAudits()).slice(-3).map((e) => e.outcome);
    expect(outcomes).to.deep.equal([4, 8, 8]);
    expect((await fetch(`${base}/metadata`)).status).to.equal(200);
  });
});
