/**
 * Where document bytes reachable from every process should live, measured
 * (`npm run bench:xds -- --only blobs --blob-docs 100`): 1 MB documents written and then read back,
 * 4 at a time, three ways on the same machine in the same run:
 *
 * (a) files, through the repository's own BlobStore (temporary file, fsync, rename, folder fsync),
 *     read with readFile: what a shared folder (NFS and the like) would be given, minus the network;
 * (b) bytea rows in PostgreSQL, one INSERT a document in its own transaction (the bytes sent as a
 *     binary parameter), read by SELECT (as hex text: pg reads results in text format only, 2 MB on
 *     the wire for 1 MB and a hex decoding);
 * (c) large objects (lo_from_bytea in the INSERT's transaction, read with lo_get).
 *
 * Measured: MB/s written and read, CPU of this process and of the PostgreSQL server processes per
 * MB, and the WAL PostgreSQL wrote per MB stored (pg_current_wal_lsn before and after): what every
 * replica receives and every WAL archive keeps.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { BlobStore } from '../../src/xds/repository/blobStore.ts';
import type { BenchPostgres } from '../engines.ts';
import { fmt, runPool } from './stats.ts';

const MB = 1024 * 1024;
const WORKERS = 4;

export interface Way {
  name: string;
  writeMBs: number;
  readMBs: number;
  /** CPU of this process per MB, written / read, ms. */
  clientCpuWrite: number;
  clientCpuRead: number;
  /** CPU of the PostgreSQL server processes per MB, written / read, ms. */
  pgCpuWrite: number;
  pgCpuRead: number;
  /** WAL bytes per byte stored (NaN for files). */
  walPerByte: number;
}

export interface BlobChoice {
  docs: number;
  ways: Way[];
}

export interface BlobOptions {
  pgb: BenchPostgres;
  root: string;
  docs: number;
  log: (m: string) => void;
}

/** What one way does with document i. */
interface Method {
  name: string;
  write(i: number, data: Buffer): Promise<void>;
  read(i: number): Promise<Buffer>;
}

/** Byte count of a WAL position difference (LSNs as PostgreSQL prints them: hi/lo in hex). */
export function lsnBytes(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

async function measure(o: BlobOptions, m: Method, docs: Buffer[], wal: () => Promise<bigint | undefined>): Promise<Way> {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const mb = (docs.length * docs[0].length) / MB;
  const wal0 = await wal();
  let c0 = cpu();
  let p0 = o.pgb.serverCpuMs();
  const writeMs = await runPool(docs.length, WORKERS, (i) => m.write(i, docs[i]));
  const clientCpuWrite = (cpu() - c0) / mb;
  const pgCpuWrite = (o.pgb.serverCpuMs() - p0) / mb;
  const wal1 = await wal();
  c0 = cpu();
  p0 = o.pgb.serverCpuMs();
  const readMs = await runPool(docs.length, WORKERS, async (i) => {
    const back = await m.read(i);
    if (!back.equals(docs[i])) throw new Error(`${m.name}: document ${i} read back is not what was written (${back.length} bytes)`);
  });
  return {
    name: m.name,
    writeMBs: mb / (writeMs / 1000),
    readMBs: mb / (readMs / 1000),
    clientCpuWrite,
    clientCpuRead: (cpu() - c0) / mb,
    pgCpuWrite,
    pgCpuRead: (o.pgb.serverCpuMs() - p0) / mb,
    walPerByte: wal0 === undefined || wal1 === undefined ? NaN : Number(wal1 - wal0) / (mb * MB),
  };
}

export async function blobChoice(o: BlobOptions): Promise<BlobChoice> {
  o.log(`document bytes: ${o.docs} documents of 1 MB, ${WORKERS} at a time, files / bytea / large objects`);
  // Random bytes (documents are mostly compressed formats already); each its own, so no two blobs are one file.
  const docs = Array.from({ length: o.docs }, () => randomBytes(MB));
  const dir = path.join(o.root, `blob-choice-${process.pid}`);
  const url = await o.pgb.freshDatabase('blob_choice');
  const pool = new pg.Pool({ connectionString: url, max: WORKERS});
  const ways: Way[] = [];
  try {
    await pool.query('CREATE TABLE doc_bytea (id integer PRIMARY KEY, data bytea NOT NULL)');
    // No compression attempt: the documents do not compress (as the repository's PDFs and images mostly do not).
    await pool.query('ALTER TABLE doc_bytea ALTER COLUMN data SET STORAGE EXTERNAL');
    await pool.query('CREATE TABLE doc_lo (id integer PRIMARY KEY, lo oid NOT NULL)');
    const wal = async () => lsnBytes((await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn);

    const blobs = new BlobStore(dir);
    const names: string[] = [];
    ways.push(
      await measure(o, {
        name: 'files (BlobStore: temp, fsync, rename)',
        write: async (i, data) => {
          names[i] = (await blobs.write({ data })).name;
        },
        read: (i) => fs.promises.readFile(blobs.pathOf(names[i])),
      }, docs, async () => undefined),
    );
    ways.push(
      await measure(o, {
        name: 'PostgreSQL bytea',
        write: async (i, data) => void (await pool.query('INSERT INTO doc_bytea(id, data) VALUES ($1, $2)', [i, data])),
        read: async (i) => (await pool.query('SELECT data FROM doc_bytea WHERE id = $1', [i])).rows[0].data as Buffer,
      }, docs, wal),
    );
    ways.push(
      await measure(o, {
        name: 'PostgreSQL large objects',
        write: async (i, data) => void (await pool.query('INSERT INTO doc_lo(id, lo) VALUES ($1, lo_from_bytea(0, $2))', [i, data])),
        read: async (i) => (await pool.query('SELECT lo_get(lo) AS data FROM doc_lo WHERE id = $1', [i])).rows[0].data as Buffer,
      }, docs, wal),
    );
  } finally {
    await pool.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { docs: o.docs, ways };
}

export function blobChoiceTable(r: BlobChoice): string[] {
  return [
    `Document bytes, ${r.docs} documents of 1 MB, 4 at a time (each write durable before the next is counted):`,
    '',
    '| way | write MB/s | read MB/s | CPU per MB written, this process / PostgreSQL | CPU per MB read, this process / PostgreSQL | WAL per MB stored |',
    '|---|---|---|---|---|---|',
    ...r.ways.map(
      (w) =>
        `| ${w.name} | ${fmt(w.writeMBs, 1)} | ${fmt(w.readMBs, 1)} | ${fmt(w.clientCpuWrite, 2)} / ${fmt(w.pgCpuWrite, 2)} ms | ${fmt(w.clientCpuRead, 2)} / ${fmt(w.pgCpuRead, 2)} ms | ${Number.isFinite(w.walPerByte) ? `${fmt(w.walPerByte, 2)} MB` : '-'} |`,
    ),
  ];
}
