/**
 * The patient's health record read out of their documents' files, after the read transaction that
 * found them (a transaction is never held open while files are read and parsed), with a bound on the
 * work: at most maxFiles files, none bigger than maxFileBytes, maxTotalBytes in all. A file that is
 * gone or unreadable is left out (and counted), never the end of the page.
 */
import fs from 'node:fs';
import { hl7Text, parseHl7 } from '../documents/hl7Table.ts';
import { addMessage, emptyRecord, sorted, type HealthRecord, type Source } from './healthRecord.ts';

export interface RecordFile extends Source {
  file: string;
  size: number;
}

export const RECORD_LIMITS = { maxFiles: 100, maxFileBytes: 1024 * 1024, maxTotalBytes: 16 * 1024 * 1024 };

export async function readRecord(
  files: RecordFile[],
  limits = RECORD_LIMITS,
  readFile: (file: string) => Promise<Buffer> = (f) => fs.promises.readFile(f),
): Promise<{ record: HealthRecord; read: number; skipped: number }> {
  const record = emptyRecord();
  let read = 0;
  let bytes = 0;
  let skipped = 0;
  for (const f of files) {
    if (read >= limits.maxFiles || f.size > limits.maxFileBytes || bytes + f.size > limits.maxTotalBytes) {
      skipped++;
      continue;
    }
    let data: Buffer;
    try {
      data = await readFile(f.file);
    } catch {
      skipped++;
      continue;
    }
    read++;
    bytes += data.length;
    const text = hl7Text(data);
    if (text !== undefined) addMessage(record, parseHl7(text), { facility: f.facility, date: f.date });
  }
  return { record: sorted(record), read, skipped };
}
