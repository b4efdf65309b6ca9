/**
 * This server as Secure Node: its own audit messages go to an external Audit Record Repository (here a
 * second hie, over mutual TLS) from a durable queue. Faults: the repository is down while events are
 * produced, and the server is killed mid-queue; once the repository is up every message arrives, in
 * the order it was recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { ATNA_CHANNEL } from '../../src/audit/auditService.ts';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';
import { spawnServer } from '../helpers/childServer.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A } from '../helpers/messages.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { freePort } from '../helpers/rsyslog.ts';

describe('ATNA forwarding of own audit messages (Secure Node to Audit Record Repository)', function () {
  this.timeout(120_000);
  let certs: TestCerts;
  before(() => {
    certs = makeCerts();
  });

  const repositoryConfig = (port: number) => ({ syslog: { tls: { port, cert: certs.serverCert, key: certs.serverKey, ca: certs.ca } } });
  const forwardTo = (port: number) => ({
    atna: {
      repositories: [{ name: 'arr', host: '127.0.0.1', port, transport: 'tls', tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, servername: 'localhost' } }],
      retry: { initialMs: 50, maxMs: 300 },
      forwardPollMs: 50,
    },
  });
  const arrived = async (arr: TestServer): Promise<StoredAuditRecord[]> => {
    await arr.app.atna.ingest.flushed();
    return (await arr.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport === 'syslog-tls');
  };
  const until = async (what: () => Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end && !(await what())) await new Promise((r) => setTimeout(r, 50));
  };

  it('queues while the repository is down, loses nothing, and delivers in order once it is up', async () => {
    const port = await freePort();
    const node = await startTestServer(forwardTo(port) as never);
    let arr: TestServer | undefined;
    try {
      for (let i = 0; i < 20; i++) await node.send(adt({ ids: [`FWD${i}^^^${HOSP_A}`] }));
      await until(async () => (await node.app.store.read((tx) => tx.outbox.pendingCount(ATNA_CHANNEL))) >= 21);
      const own = (await node.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport === 'self');
      expect(await node.app.store.read((tx) => tx.outbox.pendingCount(ATNA_CHANNEL)), 'Application Start and 20 feeds, waiting').to.equal(own.length);
      arr = await startTestServer(repositoryConfig(port) as never);
      await until(async () => (await arrived(arr!)).length >= own.length);
      const got = await arrived(arr);
      expect(got.map((e) => e.xml), 'every message, in order').to.deep.equal(own.map((e) => e.xml));
      expect(got.every((e) => e.status === 'valid' && e.origin === 'syslog-tls 127.0.0.1 CN=client')).to.equal(true);
      expect(await node.app.store.read((tx) => tx.outbox.pendingCount(ATNA_CHANNEL))).to.equal(0);
    } finally {
      await node.stop();
      await arr?.stop();
    }
  });

  it('survives being killed mid-queue: after a restart, everything recorded before the kill arrives', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    const config = path.join(dataDir, 'hie.json');
    fs.writeFileSync(config, JSON.stringify(forwardTo(port)));
    const first = await spawnServer(dataDir, ['--config', config]);
    const client = await MllpClient.connect({ host: '127.0.0.1', port: first.mllpPort, replyTimeoutMs: 10_000 });
    for (let i = 0; i < 15; i++) await client.send(Buffer.from(adt({ ids: [`KILL${i}^^^${HOSP_A}`] })));
    await client.close().catch(() => undefined);
    expect(await first.kill('SIGKILL')).to.equal(null);
    const store = new SqliteStore({ path: path.join(dataDir, 'hie.db') });
    const before = (await store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport === 'self');
    await store.close();
    expect(before.length, 'start and 15 feeds were recorded').to.equal(16);

    const arr = await startTestServer(repositoryConfig(port) as never);
    const second = await spawnServer(dataDir, ['--config', config]);
    try {
      await until(async () => (await arrived(arr)).length >= before.length + 1);
      const got = (await arrived(arr)).map((e) => e.xml);
      const missing = before.filter((e) => !got.includes(e.xml));
      expect(missing.map((e) => `${e.id} ${e.eventTypeCode}`), 'nothing recorded before the kill is lost').to.deep.equal([]);
      expect(got.slice(0, before.length), 'in the order recorded').to.deep.equal(before.map((e) => e.xml));
    } finally {
      await second.kill('SIGTERM');
      await arr.stop();
    }
  });
});
