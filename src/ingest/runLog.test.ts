import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { IngestRunLog } from './runLog.ts';

const counts = { files: 3, unchanged: 0, patients: 1, documents: 1, deprecated: 0, replacing: 0, removed: 0, alreadyRegistered: 0, rejected: 1 };

describe('ingest run log', () => {
  it('keeps the newest runs first with their rejected files, bounded', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-runlog-'));
    const log = new IngestRunLog(dir);
    expect(log.recent()).to.deep.equal([]);
    const rejected = Array.from({ length: 250 }, (_, i) => ({ path: `p/${i}`, reason: 'bad-name' as never, detail: 'x' }));
    log.append('/srv/a', 'HOSP01', { counts, rejected, elapsedMs: 10 }, new Date('2026-01-01T00:00:00Z'));
    log.append('/srv/b', 'HOSP02', { counts, rejected: [], elapsedMs: 5 }, new Date('2026-01-02T00:00:00Z'));
    const runs = log.recent();
    expect(runs.map((r) => r.root)).to.deep.equal(['/srv/b', '/srv/a']);
    expect(runs[1]!.rejected).to.have.length(200);
    expect(runs[1]!.moreRejected).to.equal(50);
    for (let i = 0; i < 60; i++) log.append('/srv/c', 'HOSP03', { counts, rejected: [], elapsedMs: 1 });
    expect(log.recent()).to.have.length(50);
  });
});
