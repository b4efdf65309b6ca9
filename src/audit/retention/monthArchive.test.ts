import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { StoredAuditRecord } from '../../store/types.ts';
import { writeMonthArchive } from './monthArchive.ts';

const record = (id: number, over: Partial<StoredAuditRecord> = {}): StoredAuditRecord => ({
  id,
  recordedAt: '2019-11-02T00:00:00.000Z',
  eventTime: '2019-11-01T23:59:59.000Z',
  eventId: '110112',
  eventTypeCode: 'ITI-20',
  action: 'E',
  outcome: 0,
  origin: 'syslog-tls 10.0.0.1',
  xml: '<AuditMessage/>',
  patientIds: ['P1^^^HOSP_A&1.2.3&ISO'],
  status: 'valid',
  format: 'dicom',
  transport: 'syslog-tls',
  sourceId: 'EHR_A',
  ...over,
});

async function* of(records: StoredAuditRecord[]): AsyncGenerator<StoredAuditRecord> {
  yield* records;
}

describe('the archive of an audit month', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-month-archive-')), 'archive');
  });

  it('writes every record as a JSON line, gzipped, the raw bytes in base64, with its SHA-256 as sha256sum writes it', async () => {
    const raw = Buffer.from([0, 0xff, 0x3c]);
    const a = await writeMonthArchive(dir, '2019-11', of([record(1), record(2, { status: 'unparsed', error: 'not XML', raw, xml: '' })]));
    expect(a).to.include({ file: path.join(dir, 'audit-2019-11.ndjson.gz'), records: 2 });
    const bytes = fs.readFileSync(a.file);
    expect(a.bytes).to.equal(bytes.length);
    expect(a.sha256).to.equal(createHash('sha256').update(bytes).digest('hex'));
    expect(fs.readFileSync(`${a.file}.sha256`, 'utf8')).to.equal(`${a.sha256}  audit-2019-11.ndjson.gz\n`);
    const lines = gunzipSync(bytes).toString('utf8').split('\n');
    expect(lines.pop()).to.equal('');
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).to.deep.include({ id: 1, recordedAt: '2019-11-02T00:00:00.000Z', message: '<AuditMessage/>', patientIds: ['P1^^^HOSP_A&1.2.3&ISO'], status: 'valid' });
    expect(first).not.to.have.property('raw');
    expect(second).to.deep.include({ id: 2, status: 'unparsed', error: 'not XML', raw: raw.toString('base64') });
  });

  it('replaces the files of a month written again, and leaves no temporary file', async () => {
    await writeMonthArchive(dir, '2019-11', of([record(1), record(2)]));
    const again = await writeMonthArchive(dir, '2019-11', of([record(1)]));
    expect(again.records).to.equal(1);
    expect(gunzipSync(fs.readFileSync(again.file)).toString('utf8').trim().split('\n')).to.have.length(1);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['audit-2019-11.ndjson.gz', 'audit-2019-11.ndjson.gz.sha256']);
  });

  it('fails, leaving the previous archive and no temporary file, when the records cannot be read to the end', async () => {
    await writeMonthArchive(dir, '2019-11', of([record(1)]));
    const before = fs.readFileSync(path.join(dir, 'audit-2019-11.ndjson.gz'));
    async function* broken(): AsyncGenerator<StoredAuditRecord> {
      yield record(1);
      throw new Error('connection lost');
    }
    const error = await writeMonthArchive(dir, '2019-11', broken()).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.equal('connection lost');
    expect(fs.readFileSync(path.join(dir, 'audit-2019-11.ndjson.gz'))).to.deep.equal(before);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['audit-2019-11.ndjson.gz', 'audit-2019-11.ndjson.gz.sha256']);
  });
});
