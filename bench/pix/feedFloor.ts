/**
 * The store floor of ITI-8: the SQL statements that the ITI-8 transaction runs for each of the feed
 * benchmark's messages (the same patients, facilities and order), captured from the real transaction
 * handler on a fresh database, then replayed raw (bench/storeFloor.ts). Reported beside the feed and
 * the echo: what SQLite alone allows for these feeds, whatever the server around it does.
 */
import { internalContext } from '../../src/kernel/requestContext.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeMessage } from '../../src/hl7v2/charset.ts';
import { Hl7v2Message } from '../../src/hl7v2/message.ts';
import { iti8Transaction } from '../../src/pix/iti8/transaction.ts';
import { openServices } from '../../src/server/app.ts';
import { facilityDomains } from '../../src/consent/feedAuthorization.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { captureStatements, checkReplay, replayStatements, type ReplayOptions, type ReplayResult, type StatementCall } from '../storeFloor.ts';
import { adtA04, encode, FACILITIES, type BenchCharset } from './messages.ts';
import { patient } from './population.ts';
import { benchConfig } from './servers.ts';

export interface FeedFloorJob {
  seed: number;
  warmup: number;
  count: number;
  charset: BenchCharset;
  /** Feeds per commit: the feed run's connections times messages in flight. */
  perCommit: number;
}

export interface FeedFloor {
  /** The statements that write, alone, no fsync (synchronous=OFF): a ceiling for any server on this schema. */
  writes: ReplayResult;
  /** Every statement (the reads that decide what to write too), no fsync. */
  statements: ReplayResult;
  /** Every statement, each commit fsynced before the next (synchronous=FULL). */
  durable: ReplayResult;
  /**
   * The writes alone, no fsync, UNBOUNDED_BATCH feeds a commit: more than the benchmark's senders can
   * ever put in one (each waits for its ACK, which waits for the commit), so that the per-commit
   * cost (every page a commit changed, written to the WAL) is out of the way too.
   */
  batched: ReplayResult;
}

const UNBOUNDED_BATCH = 1000;

export async function feedFloor(job: FeedFloorJob): Promise<FeedFloor> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-bench-floor-'));
  try {
    const config = benchConfig(dataDir);
    // The database as the feed run starts it (schema, configured domains), kept as the replay's base.
    await (await openServices(config, silentLogger)).store.close();
    const base = path.join(dataDir, 'base.db');
    fs.copyFileSync(path.join(dataDir, 'hie.db'), base);

    const s = await openServices(config, silentLogger);
    const units: StatementCall[][] = [];
    try {
      const iti8 = iti8Transaction({ ...s, facilities: facilityDomains(config.identity.domains), maxIdentifiers: config.pix.maxIdentifiers });
      for (let i = 0; i < job.warmup + job.count; i++) {
        const bytes = encode(adtA04(patient(job.seed, i), FACILITIES[i % FACILITIES.length], `F${i}`, job.charset), job.charset);
        const message = Hl7v2Message.parse(decodeMessage(bytes, job.charset === 'utf-8' ? 'utf-8' : 'iso-2022-jp'));
        const { value, calls } = await captureStatements(() =>
          iti8.handle({ message, charset: job.charset === 'utf-8' ? 'utf-8' : 'iso-2022-jp', peer: { address: '127.0.0.1', port: 40000 + (i % 4), localAddress: '127.0.0.1' }, context: internalContext() }),
        );
        if (value.ack !== 'AA') throw new Error(`feed ${i} was answered ${value.ack}`);
        units.push(calls);
      }
    } finally {
      await s.store.close();
    }
    const o: ReplayOptions = { perCommit: job.perCommit, warmup: job.warmup, synchronous: 'OFF', reads: false };
    const floor = {
      writes: replayStatements(base, units, o),
      statements: replayStatements(base, units, { ...o, reads: true }),
      durable: replayStatements(base, units, { ...o, synchronous: 'FULL', reads: true }),
      batched: replayStatements(base, units, { ...o, perCommit: UNBOUNDED_BATCH }),
    };
    for (const r of Object.values(floor)) checkReplay(r, path.join(dataDir, 'hie.db'));
    return floor;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
