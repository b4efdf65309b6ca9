import { expect } from 'chai';
import { ConsoleClient } from '../helpers/consoleClient.ts';
import { fakeOidc, type FakeOidc } from '../helpers/fakeOidc.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { freePort } from '../helpers/rsyslog.ts';

describe('web console: operators signing in through an OpenID Connect provider (openid-client)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let op: FakeOidc;
  let base: string;
  before(async () => {
    op = await fakeOidc('hie-console', 'client secret 1');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    s = await startTestServer({
      http: { port },
      console: {
        oidc: {
          issuer: op.issuer,
          clientId: 'hie-console',
          clientSecret: 'client secret 1',
          redirectUri: `${base}/console/oidc/callback`,
          roles: { viewer: ['staff'], operator: ['hie-operator'], admin: ['hie-admin'] },
        },
      },
    } as never);
  });
  after(async () => {
    await s.stop();
    await op.close();
  });

  /** The browser's round trip: the console, the provider (which signs the user in at once), the callback. */
  const roundTrip = async (c: ConsoleClient) => {
    const start = await c.get('/console/oidc/login');
    expect(start.status).to.equal(303);
    const authorize = start.res.headers.get('location')!;
    expect(authorize.startsWith(`${op.issuer}/authorize?`)).to.equal(true);
    expect(new URL(authorize).searchParams.get('code_challenge_method')).to.equal('S256');
    const back = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(back.headers.get('location')!);
    return { callback, result: await c.get(callback.pathname + callback.search) };
  };

  it('signs an operator in with the role their claim maps to, audited naming them', async () => {
    op.claims = { sub: 'u-1001', name: '鈴木 看護師', roles: ['staff', 'hie-operator'] };
    const c = new ConsoleClient(base);
    const login = await c.get('/console/login');
    expect(login.body).to.include('href="/console/oidc/login"');
    const { result } = await roundTrip(c);
    expect(result.status).to.equal(200);
    expect(result.body).to.include('url=/console/patients');
    const set = result.res.headers.getSetCookie().find((x) => x.startsWith('hie_console='))!;
    expect(set).to.include('HttpOnly').and.include('SameSite=Strict');
    const p = await c.get('/console/patients');
    expect(p.status).to.equal(200);
    expect(p.body).to.include('鈴木 看護師').and.include('オペレーター');
    expect((await c.get('/console/links')).status).to.equal(200);
    expect((await c.get('/console/audit')).status).to.equal(403);
    const audits = await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100000 }));
    expect(audits.some((e) => e.xml.includes('OpenID Connect') && e.xml.includes(`u-1001@127.0.0.1`) && e.xml.includes('EventOutcomeIndicator="0"'))).to.equal(true);
  });

  it('refuses a user whose claims map to no console role', async () => {
    op.claims = { sub: 'u-2002', name: 'x', roles: ['patient'] };
    const c = new ConsoleClient(base);
    const { result } = await roundTrip(c);
    expect(result.status).to.equal(403);
    expect(c.cookies.has('hie_console')).to.equal(false);
  });

  // The ID token comes straight from the token endpoint, whose TLS server authentication vouches for it
  // (OpenID Connect Core 1.0 3.1.3.7 item 6; hence an https issuer but on loopback): its claims are checked.
  it('refuses an ID token with the wrong nonce or audience, a forged state, and a callback used twice', async () => {
    op.claims = { sub: 'u-3003', roles: ['hie-admin'] };
    for (const tamper of ['nonce', 'audience'] as const) {
      op.tamper = tamper;
      const { result } = await roundTrip(new ConsoleClient(base));
      expect(result.status, tamper).to.equal(401);
    }
    const c = new ConsoleClient(base);
    await c.get('/console/oidc/login').then(async (r) => {
      const back = await fetch(r.res.headers.get('location')!, { redirect: 'manual' });
      const cb = new URL(back.headers.get('location')!);
      cb.searchParams.set('state', 'forged');
      expect((await c.get(cb.pathname + cb.search)).status).to.equal(401);
    });
    const d = new ConsoleClient(base);
    const { callback, result } = await roundTrip(d);
    expect(result.status).to.equal(200);
    expect((await d.get(callback.pathname + callback.search)).status).to.equal(400);
    expect((await new ConsoleClient(base).get(callback.pathname + callback.search)).status).to.equal(400);
  });
});
