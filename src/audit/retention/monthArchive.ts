/**
 * The archive of one month of audit records, written before the month leaves the store: one gzip file
 * of JSON lines (audit-YYYY-MM.ndjson.gz, one record a line, the message as stored and the bytes as
 * received in base64) and its SHA-256 beside it (audit-YYYY-MM.ndjson.gz.sha256, as `sha256sum -c`
 * reads it). Each is written atomically (a temporary file in the same folder, fsync, rename, fsync of
 * the folder): a crash leaves the previous state or the whole file, never a part, and the promise
 * resolves only once both are durable. Writing a month again replaces its files.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { StoredAuditRecord } from '../../store/types.ts';

export interface MonthArchive {
  file: string;
  sha256: string;
  records: number;
  bytes: number;
}

/** The file name of a month's archive. */
export const archiveName = (month: string): string => `audit-${month}.ndjson.gz`;

/** One record as a line of the archive. */
export function archiveLine(r: StoredAuditRecord): string {
  return (
    JSON.stringify({
      id: r.id,
      recordedAt: r.recordedAt,
      eventTime: r.eventTime,
      eventId: r.eventId,
      eventTypeCode: r.eventTypeCode,
      action: r.action,
      outcome: r.outcome,
      origin: r.origin,
      status: r.status,
      error: r.error,
      format: r.format,
      transport: r.transport,
      sourceId: r.sourceId,
      envelope: r.envelope,
      sender: r.sender,
      senderMark: r.senderMark,
      patientIds: r.patientIds,
      message: r.xml,
      raw: r.raw?.toString('base64'),
    }) + '\n'
  );
}

export async function writeMonthArchive(dir: string, month: string, records: AsyncIterable<StoredAuditRecord>): Promise<MonthArchive> {
  await fs.promises.mkdir(dir, { recursive: true });
  const name = archiveName(month);
  const file = path.join(dir, name);
  let count = 0;
  async function* lines(): AsyncGenerator<string> {
    for await (const r of records) {
      count++;
      yield archiveLine(r);
    }
  }
  const hash = createHash('sha256');
  let bytes = 0;
  await atomically(file, async (fh) => {
    await pipeline(Readable.from(lines()), createGzip(), async (gz: AsyncIterable<Buffer>) => {
      for await (const chunk of gz) {
        hash.update(chunk);
        bytes += chunk.length;
        await fh.write(chunk);
      }
    });
  });
  const sha256 = hash.digest('hex');
  await atomically(`${file}.sha256`, (fh) => fh.write(`${sha256}  ${name}\n`).then(() => undefined));
  const folder = await fs.promises.open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  return { file, sha256, records: count, bytes };
}

/** Writes `file` through a temporary file beside it, synced to disk before it takes the name. */
async function atomically(file: string, write: (fh: fs.promises.FileHandle) => Promise<void>): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await fs.promises.open(tmp, 'wx', 0o640);
  try {
    await write(fh);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await fs.promises.rename(tmp, file);
}
