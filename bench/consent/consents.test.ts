import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConsentService } from '../../src/consent/service.ts';
import type { RequestContext } from '../../src/kernel/requestContext.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { corpus, DOCS_PER_PATIENT, regionalId } from '../xds/corpus.ts';
import { corpusConsent, corpusDocumentUniqueId, corpusDocumentWithheld, corpusVisible, pdqConsent, PDQ_NOT_ENROLLED, writeConsents } from './consents.ts';

describe('consent benchmark: the consent records (bench)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-consent-bench-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const clinic: RequestContext = {
    transport: 'soap',
    address: '127.0.0.1',
    node: { name: 'clinic', facilities: ['CLINIC_9'], sourceIds: [], auditSourceIds: [], roles: new Set(['consumer']), breakGlass: new Set(), requireAssertion: false },
  };

  it('writes each patient an opted-in consent that hides exactly the documents corpusDocumentWithheld names (none of the odd-numbered patients)', async () => {
    const c = await corpus(30, dir, () => {});
    const store = new SqliteStore({ path: path.join(c.dataDir, 'hie.db') });
    try {
      const ids = await store.read(async (tx) => Promise.all(Array.from({ length: c.patients }, async (_, p) => (await tx.identity.personByRegionalId(regionalId(p)))!.id)));
      const done: number[] = [];
      expect(await writeConsents(store, ids, (i) => corpusConsent(i), { batch: 2, progress: (n) => done.push(n) })).to.equal(3);
      expect(done).to.deep.equal([2, 3]);

      const service = new ConsentService({ enabled: true, participationDefault: 'opt-in', emergencyPurposes: [], disasterPurposes: [] });
      await store.read(async (tx) => {
        for (let p = 0; p < c.patients; p++) {
          const history = await service.history(tx, ids[p]);
          expect(history.map((h) => [h.action, h.who, h.source.kind])).to.deep.equal([['set', 'bench-consent', 'admin']]);
          const view = await service.viewOf(tx, clinic, ids[p]);
          expect(view.patientVisible).to.equal(true);
          const docs = await tx.registry.entriesByUniqueId('DocumentEntry', Array.from({ length: DOCS_PER_PATIENT }, (_, k) => corpusDocumentUniqueId(p, k)));
          expect(docs).to.have.length(DOCS_PER_PATIENT);
          for (const d of docs) {
            const k = Number(d.uniqueId!.split('.').pop());
            expect(view.document(d), `patient ${p} document ${k}`).to.equal(!corpusDocumentWithheld(p, k));
          }
          expect(docs.filter((d) => view.document(d))).to.have.length(corpusVisible(p));
        }
      });
    } finally {
      await store.close();
    }
    expect([0, 1, 2].map(corpusVisible)).to.deep.equal([6, DOCS_PER_PATIENT, 6]);
  });

  it('leaves every PDQ_NOT_ENROLLED-th person of the PDQ database not enrolled, the rest opted in', () => {
    const states = Array.from({ length: 2 * PDQ_NOT_ENROLLED }, (_, i) => pdqConsent(i).participation);
    expect(states.filter((s) => s === 'not-enrolled')).to.have.length(2);
    expect(states.filter((s) => s === 'opted-in')).to.have.length(2 * PDQ_NOT_ENROLLED - 2);
    expect(states[PDQ_NOT_ENROLLED - 1]).to.equal('not-enrolled');
  });
});
