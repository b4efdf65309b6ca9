/**
 * One client must not be able to hold every connection or stall a listener (issue 15): connection
 * caps per listener and per address on MLLP, HTTP and syslog (a burst of refusals audited once), and
 * deadlines: a sender of one byte now and then is cut off mid-frame on MLLP and syslog, and answered
 * 408 mid-headers or mid-body on HTTP. Real sockets, short configured deadlines.
 */
import net from 'node:net';
import { expect } from 'chai';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';
import { adt, HOSP_A } from '../helpers/messages.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import tls from 'node:tls';
import fs from 'node:fs';
import path from 'node:path';

const VT = 0x0b;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connection from a loopback address; resolves once connected, and records when it closes. */
async function connect(port: number, localAddress = '127.0.0.1') {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  const received: Buffer[] = [];
  socket.on('data', (d) => received.push(d));
  const closed = new Promise<number>((resolve) => {
    const t0 = Date.now();
    socket.once('close', () => resolve(Date.now() - t0));
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, received };
}

/** Whether a connection is closed by the server within `ms` (without sending anything). */
async function refusedAtOnce(port: number, localAddress?: string, ms = 1000): Promise<boolean> {
  const c = await connect(port, localAddress);
  const r = await Promise.race([c.closed.then(() => true), sleep(ms).then(() => false)]);
  c.socket.destroy();
  return r;
}

/** Writes one byte every `everyMs` until the connection closes; resolves with how long it stayed open. */
async function trickle(socket: net.Socket, closed: Promise<number>, bytes: Buffer, everyMs: number): Promise<number> {
  let open = true;
  void closed.then(() => (open = false));
  for (let i = 0; open && i < bytes.length; i++) {
    socket.write(bytes.subarray(i, i + 1));
    await Promise.race([sleep(everyMs), closed]);
  }
  return closed;
}

async function connectionAlerts(s: TestServer) {
  return (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 10_000 }))).filter((a) => a.eventId === '110113' && a.eventTypeCode === '110132');
}

describe('connection caps and deadlines on every listener', function () {
  this.timeout(60_000);

  describe('MLLP', () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer({ mllp: { maxConnections: 5, maxConnectionsPerAddress: 3, frameTimeoutMs: 600, idleTimeoutMs: 1000 } } as never);
    });
    after(() => s?.stop());

    it('closes connections over the per-address and the listener cap at once; the others are served; one audit per burst', async () => {
      const held = [];
      for (let i = 0; i < 3; i++) held.push(await connect(s.mllpPort));
      for (let i = 0; i < 10; i++) expect(await refusedAtOnce(s.mllpPort), `a 4th from 127.0.0.1 (#${i})`).to.equal(true);
      held.push(await connect(s.mllpPort, '127.0.0.2'), await connect(s.mllpPort, '127.0.0.2'));
      expect(await refusedAtOnce(s.mllpPort, '127.0.0.3'), 'a 6th on the listener').to.equal(true);
      const alerts = await connectionAlerts(s);
      expect(alerts, 'one Security Alert for the burst').to.have.length(1);
      // The connections held are still served.
      held[0].socket.write(Buffer.concat([Buffer.from([VT]), Buffer.from(adt({ ids: [`CAP1^^^${HOSP_A}`] })), Buffer.from([0x1c, 0x0d])]));
      for (let i = 0; i < 200 && !Buffer.concat(held[0].received).toString().includes('MSA|'); i++) await sleep(20);
      expect(Buffer.concat(held[0].received).toString()).to.contain('MSA|AA');
      for (const h of held) h.socket.destroy();
      await Promise.all(held.map((h) => h.closed));
      await sleep(50);
      expect(await refusedAtOnce(s.mllpPort, '127.0.0.1', 300), 'a place freed is taken again').to.equal(false);
    });

    it('cuts off a sender of one byte at a time mid-frame after the frame deadline, though it is never idle', async () => {
      const c = await connect(s.mllpPort);
      const message = Buffer.concat([Buffer.from([VT]), Buffer.from(adt({ ids: [`SLOW1^^^${HOSP_A}`] }))]);
      const open = await trickle(c.socket, c.closed, message, 200);
      expect(open).to.be.within(500, 3000);
      expect(Buffer.concat(c.received).length, 'no ACK for a frame never finished').to.equal(0);
    });
  });

  describe('syslog over TCP', () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer({ syslog: { tcp: { port: 0 }, frameTimeoutMs: 600, maxConnectionsPerAddress: 2 } } as never);
    });
    after(() => s?.stop());

    it('cuts off a sender of one byte at a time mid-frame after the frame deadline, keeping what it sent', async () => {
      const c = await connect(s.app.ports.syslogTcp!);
      const open = await trickle(c.socket, c.closed, Buffer.from('300 <85>1 2024-04-01T09:30:00Z host app - - - <AuditMessage/>'), 150);
      expect(open).to.be.within(500, 3000);
      const kept = async () => (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100 }))).filter((e) => e.origin.startsWith('syslog-tcp')).map((e) => e.error ?? '');
      // Read on a reader thread and committed in a batch: on a busy machine that takes a while.
      for (let i = 0; i < 250 && (await kept()).length === 0; i++) await sleep(40);
      expect(await kept()).to.satisfy((errors: string[]) => errors.some((x) => /frame not completed within 600 ms/.test(x)));
    });

    it('closes a third connection from one address at once', async () => {
      const a = await connect(s.app.ports.syslogTcp!);
      const b = await connect(s.app.ports.syslogTcp!);
      expect(await refusedAtOnce(s.app.ports.syslogTcp!)).to.equal(true);
      expect(await connectionAlerts(s)).to.have.length(1);
      a.socket.destroy();
      b.socket.destroy();
    });
  });

  describe('HTTP', () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer({ http: { headersTimeoutMs: 500, requestTimeoutMs: 900, maxConnectionsPerAddress: 2 }, xds: { limits: { spoolThresholdBytes: 0 } } } as never);
    });
    after(() => s?.stop());
    const port = () => s.app.ports.http!;
    const status = (c: { received: Buffer[] }) => /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(c.received).toString('latin1'))?.[1];

    it('answers 408 to a body coming one byte at a time once the request deadline passes, and closes', async () => {
      const c = await connect(port());
      c.socket.write('POST /services/registry HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml\r\nContent-Length: 1000\r\n\r\n');
      const open = await trickle(c.socket, c.closed, Buffer.alloc(1000, 0x20), 150);
      expect(open).to.be.within(700, 4000);
      expect(status(c)).to.equal('408');
    });

    it('cuts off an MTOM upload stalled mid-part: 408, and its spooled part removed', async () => {
      const c = await connect(port());
      const head =
        '--b\r\nContent-Type: application/xop+xml; type="application/soap+xml"\r\nContent-ID: <root@x>\r\n\r\n<env/>\r\n' +
        '--b\r\nContent-Type: application/octet-stream\r\nContent-ID: <doc@x>\r\n\r\n' +
        'x'.repeat(4096);
      c.socket.write(
        `POST /services/repository HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/related; boundary="b"; type="application/xop+xml"; start="<root@x>"\r\nContent-Length: 100000\r\n\r\n${head}`,
      );
      const spool = path.join(s.dataDir, 'spool');
      const spooled = () => (fs.existsSync(spool) ? fs.readdirSync(spool) : []);
      for (let i = 0; i < 100 && spooled().length === 0; i++) await sleep(10);
      expect(spooled(), 'the parts are being spooled').to.not.deep.equal([]);
      await trickle(c.socket, c.closed, Buffer.alloc(1000, 0x78), 150);
      expect(status(c)).to.equal('408');
      for (let i = 0; i < 100 && spooled().length > 0; i++) await sleep(20);
      expect(spooled()).to.deep.equal([]);
    });

    it('answers 408 to headers coming one byte at a time once the headers deadline passes', async () => {
      const c = await connect(port());
      const open = await trickle(c.socket, c.closed, Buffer.from(`GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ${'y'.repeat(200)}\r\n\r\n`), 100);
      expect(open).to.be.within(300, 4000);
      expect(status(c)).to.equal('408');
    });

    it('closes a connection over the per-address cap at once, and still serves', async () => {
      const a = await connect(port());
      const b = await connect(port());
      expect(await refusedAtOnce(port())).to.equal(true);
      a.socket.destroy();
      b.socket.destroy();
      await Promise.all([a.closed, b.closed]);
      await sleep(50);
      expect((await fetch(`http://127.0.0.1:${port()}/health`)).status).to.equal(200);
    });
  });

  describe('over TLS', () => {
    let certs: TestCerts;
    let s: TestServer;
    before(async () => {
      certs = makeCerts();
      s = await startTestServer({
        mllp: { maxConnectionsPerAddress: 1, tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca } },
        nodes: [{ name: 'client', subject: 'CN=client', roles: ['source'] }],
      } as never);
    });
    after(() => s?.stop());

    it('refuses before the handshake: no failed node authentication audited for it, one alert for the burst', async () => {
      const ok = tls.connect({ host: '127.0.0.1', port: s.mllpPort, servername: 'localhost', ca: fs.readFileSync(certs.ca), cert: fs.readFileSync(certs.clientCert), key: fs.readFileSync(certs.clientKey) });
      await new Promise<void>((resolve, reject) => ok.once('secureConnect', () => resolve()).once('error', reject));
      for (let i = 0; i < 5; i++) expect(await refusedAtOnce(s.mllpPort)).to.equal(true);
      await sleep(200);
      const events = await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 1000 }));
      expect(events.filter((e) => e.eventTypeCode === '110126'), 'no Node Authentication alerts').to.have.length(0);
      expect(events.filter((e) => e.eventTypeCode === '110132')).to.have.length(1);
      ok.destroy();
    });
  });
});
