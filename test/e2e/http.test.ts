import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';

describe('HTTP listener', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.stop();
  });

  it('answers GET /health with the store engine and the ITI-10 backlog', async () => {
    const r = await fetch(`http://127.0.0.1:${s.app.ports.http}/health`);
    expect(r.status).to.equal(200);
    expect(await r.json()).to.deep.equal({ status: 'ok', store: 'sqlite', iti10Pending: 0 });
    expect(r.headers.get('x-powered-by')).to.equal(null);
  });

  it('answers unknown paths with 404 JSON', async () => {
    const r = await fetch(`http://127.0.0.1:${s.app.ports.http}/nope`);
    expect(r.status).to.equal(404);
    expect(await r.json()).to.deep.equal({ error: 'not found', path: '/nope' });
  });
});
