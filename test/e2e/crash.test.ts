import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { spawnServer } from '../helpers/childServer.ts';
import { decodeReply, field, tempDir } from '../helpers/hieServer.ts';
import { adt, HOSP_A, HOSP_B } from '../helpers/messages.ts';

describe('a crash at any point leaves a consistent store', function () {
  this.timeout(120_000);

  it('keeps every acknowledged feed through kill -9 under load, and restarts cleanly', async () => {
    const dataDir = tempDir();
    const server = await spawnServer(dataDir);
    const acked = new Set<string>();
    let stop = false;
    const sender = async (worker: number) => {
      const c = await MllpClient.connect({ host: '127.0.0.1', port: server.mllpPort, replyTimeoutMs: 10_000 });
      for (let i = 0; !stop; i++) {
        const id = `W${worker}-${i}`;
        try {
          const r = decodeReply(await c.send(Buffer.from(adt({ ids: [`${id}^^^${HOSP_A}`, `${id}B^^^${HOSP_B}`], name: `山田^${id}^^^^^L^I`, controlId: id }))));
          if (field(r, 'MSA', 1) === 'AA') acked.add(id);
        } catch {
          return; // the server died under us
        }
      }
      await c.close().catch(() => undefined);
    };
    const workers = [0, 1, 2, 3].map(sender);
    while (acked.size < 400) await new Promise((r) => setTimeout(r, 5));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);

    const db = new Database(path.join(dataDir, 'hie.db'));
    expect(db.pragma('integrity_check', { simple: true })).to.equal('ok');
    const stored = new Set((db.prepare("SELECT local_id FROM patient_records WHERE domain_key = '1.2.392.999.1'").all() as { local_id: string }[]).map((r) => r.local_id));
    const lost = [...acked].filter((id) => !stored.has(id));
    expect(lost, 'acknowledged feeds missing after the crash').to.deep.equal([]);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM patient_records r LEFT JOIN persons p ON p.id = r.person_id WHERE p.id IS NULL'), 'records without a person').to.equal(0);
    // every feed is whole: both of its identifiers, one person, and its audit record
    expect(count(`SELECT count(*) AS n FROM (SELECT person_id FROM patient_records GROUP BY person_id HAVING count(*) <> 2)`), 'half-stored feeds').to.equal(0);
    const audited = count("SELECT count(*) AS n FROM audit_events WHERE event_type_code = 'ITI-8' AND outcome = 0");
    expect(audited).to.equal(count('SELECT count(*) AS n FROM persons'));
    db.close();

    const again = await spawnServer(dataDir);
    const c = await MllpClient.connect({ host: '127.0.0.1', port: again.mllpPort });
    const r = decodeReply(await c.send(Buffer.from(adt({ ids: [`AFTER^^^${HOSP_A}`] }))));
    expect(field(r, 'MSA', 1)).to.equal('AA');
    await c.close();
    await again.kill('SIGTERM');
  });
});
