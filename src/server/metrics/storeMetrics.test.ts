import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import type { Store } from '../../store/types.ts';
import { storeMetrics } from './storeMetrics.ts';

describe('queue and store gauges', () => {
  it('report the outboxes, the in-memory queues, the database with its WAL and the document files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-store-metrics-'));
    fs.writeFileSync(path.join(dir, 'hie.db'), Buffer.alloc(4096));
    fs.writeFileSync(path.join(dir, 'hie.db-wal'), Buffer.alloc(100));
    fs.mkdirSync(path.join(dir, 'blobs', 'ab'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'blobs', 'ab', 'one'), Buffer.alloc(1000));
    fs.writeFileSync(path.join(dir, 'blobs', 'two'), Buffer.alloc(24));
    const pending: Record<string, number> = { iti10: 3, atna: 7 };
    const store = { read: async (fn: (tx: unknown) => unknown) => fn({ outbox: { pendingCount: async (c: string) => pending[c] } }) } as unknown as Store;
    const registry = new Registry();
    storeMetrics(registry, {
      store,
      outboxes: { 'iti10-notifications': 'iti10', 'audit-forwarding': 'atna' },
      inMemory: { 'audit-intake': () => 5 },
      databaseFile: path.join(dir, 'hie.db'),
      blobDir: path.join(dir, 'blobs'),
      blobRefreshMs: 0,
    });
    // The document files are counted in the background from the start.
    await new Promise((r) => setTimeout(r, 100));
    const text = await registry.metrics();
    expect(text).to.contain('hie_queue_depth{queue="iti10-notifications"} 3');
    expect(text).to.contain('hie_queue_depth{queue="audit-forwarding"} 7');
    expect(text).to.contain('hie_queue_depth{queue="audit-intake"} 5');
    expect(text).to.contain('hie_store_bytes{part="database"} 4096');
    expect(text).to.contain('hie_store_bytes{part="wal"} 100');
    expect(text).to.contain('hie_store_bytes{part="blobs"} 1024');
  });

  it('report the size a PostgreSQL database has on its server, asked once per refresh and never waited for, beside the document files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-store-metrics-'));
    fs.writeFileSync(path.join(dir, 'one'), Buffer.alloc(10));
    let asked = 0;
    const store = { read: async (fn: (tx: unknown) => unknown) => fn({ outbox: { pendingCount: async () => 0 } }) } as unknown as Store;
    const registry = new Registry();
    storeMetrics(registry, {
      store,
      outboxes: {},
      inMemory: {},
      databaseFile: path.join(dir, 'hie.db'),
      databaseBytes: async () => 7_340_032 + asked++,
      databaseRefreshMs: 60_000,
      blobDir: dir,
      blobRefreshMs: 60_000,
    });
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 3; i++) {
      const text = await registry.metrics();
      expect(text).to.contain('hie_store_bytes{part="database"} 7340032');
      expect(text).to.contain('hie_store_bytes{part="blobs"} 10');
      expect(text).not.to.contain('part="wal"');
    }
    expect(asked, 'asked at start, then cached').to.equal(1);
  });
});
