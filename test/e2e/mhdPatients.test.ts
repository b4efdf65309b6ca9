/**
 * The patient of an MHD request (issue 18): a Patient id as PDQm hands it out (`x-` and hex for a
 * regional ID that is no FHIR id) names the same patient to MHD, in ITI-65 subjects and in `patient`
 * searches; and an identifier of the individual-number domain, in whatever spelling, is refused at
 * the edge (400 code-invalid, the typed refusal PIXm and PDQm give) and audited without the query,
 * so that the number is nowhere: not in the answers, the audit store, the data folder or the log.
 */
import { expect } from 'chai';
import type { Bundle, DocumentReference, List, OperationOutcome, Patient } from 'fhir/r4.js';
import { createLogger } from '../../src/kernel/logger.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { filesUnder, individualNumber, spellings } from '../helpers/individualNumbers.ts';
import { provideBundle } from '../helpers/mhd.ts';
import { affinityConfig, feedPatient, NIST_AFFINITY } from '../helpers/xds.ts';
import fs from 'node:fs';

describe('MHD: the patients PDQm names, and never an individual number (e2e)', function () {
  this.timeout(120_000);
  let s: TestServer;
  let base: string;
  const logs: string[] = [];

  before(async () => {
    s = await startTestServer({ ...affinityConfig() }, tempDir(), createLogger('debug', (line) => logs.push(line)));
    base = `http://127.0.0.1:${s.app.ports.http}/fhir`;
    await feedPatient(s, 'MHD_8');
  });
  after(() => s?.stop());

  const json = async <T>(url: string, init?: RequestInit): Promise<{ status: number; body: T; raw: Buffer }> => {
    const r = await fetch(url, init);
    const raw = Buffer.from(await r.arrayBuffer());
    return { status: r.status, body: JSON.parse(raw.toString('utf8')) as T, raw };
  };

  it('takes the x- Patient id PDQm hands out, in an ITI-65 subject and in ITI-67 and ITI-66 searches, and writes it in subjects', async () => {
    const found = await json<Bundle>(`${base}/Patient?identifier=${encodeURIComponent(`urn:oid:${NIST_AFFINITY}|MHD_8`)}`);
    const id = (found.body.entry![0].resource as Patient).id!;
    expect(id).to.equal(`x-${Buffer.from('MHD_8').toString('hex')}`);
    const provided = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(provideBundle({ patient: id, docs: [{}] })) });
    expect(provided.status).to.equal(200);
    for (const patient of [`Patient/${id}`, `${base}/Patient/${id}`]) {
      const docs = await json<Bundle>(`${base}/DocumentReference?patient=${encodeURIComponent(patient)}&status=current`);
      expect(docs.status, patient).to.equal(200);
      expect(docs.body.entry!.map((e) => (e.resource as DocumentReference).subject!.reference), patient).to.deep.equal([`Patient/${id}`]);
    }
    const lists = await json<Bundle>(`${base}/List?patient=Patient/${id}&status=current&code=submissionset`);
    expect(lists.body.entry!.map((e) => (e.resource as List).subject!.reference)).to.deep.equal([`Patient/${id}`]);
    // The identifier names the same patient (its value is the regional ID itself).
    const byIdentifier = await json<Bundle>(`${base}/DocumentReference?patient.identifier=${encodeURIComponent(`urn:oid:${NIST_AFFINITY}|MHD_8`)}&status=current`);
    expect(byIdentifier.body.entry).to.have.length(1);
    // An h- id is a hash: it names a patient that cannot be searched by it, said so.
    const hashed = await json<OperationOutcome>(`${base}/DocumentReference?patient=Patient/h-${'0'.repeat(62)}&status=current`);
    expect([hashed.status, hashed.body.issue[0].diagnostics]).to.deep.equal([400, `patient: 'Patient/h-${'0'.repeat(62)}' names a patient by a hash of its ID, which cannot be searched by: give patient.identifier`]);
  });

  it('refuses an individual number in any spelling at the edge, audits the refusal without it, and keeps it nowhere', async () => {
    const number = individualNumber('98765432109');
    const fullWidth = [...number].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    const percent = [...number].map((d) => `%3${d}`).join('');
    const jsonEscaped = [...number].map((d) => `\\u003${d}`).join('');
    const systems = ['urn:oid:2.999.392.1.9', 'URN:OID:2.999.392.1.9', 'urn:oid:２.９９９.３９２.１.９'];
    const before = (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).length;
    const answers: Record<string, Buffer> = {};
    let n = 0;
    for (const system of systems) {
      for (const [resource, extra] of [['DocumentReference', ''], ['List', '&code=folder']]) {
        const asked = [`patient.identifier=${encodeURIComponent(`${system}|${number}`)}`, `patient.identifier=${encodeURIComponent(`${system}|${fullWidth}`)}`, `patient.identifier=${encodeURIComponent(system)}%7C${percent}`, `patient.identifier=${encodeURIComponent(`${system}|${jsonEscaped}`)}`];
        for (const q of asked) {
          const r = await json<OperationOutcome>(`${base}/${resource}?${q}&status=current${extra}`);
          expect(r.status, q).to.equal(400);
          expect([r.body.issue[0].code, r.body.issue[0].expression], q).to.deep.equal(['code-invalid', ['patient.identifier']]);
          answers[`answer ${n++}`] = r.raw;
        }
        const form = await json<OperationOutcome>(`${base}/${resource}/_search`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `patient.identifier=${encodeURIComponent(`${system}|${number}`)}&status=current${extra}` });
        expect(form.status).to.equal(400);
        answers[`answer ${n++}`] = form.raw;
      }
    }
    await s.app.atna.ingest.flushed();
    const refusals = (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).slice(before).filter((e) => e.eventTypeCode === 'ITI-67' || e.eventTypeCode === 'ITI-66');
    expect(refusals).to.have.length(n);
    for (const e of refusals) {
      expect(e.outcome).to.equal(4);
      // Audited without the query: not even masked (the query object carries nothing).
      expect(e.xml).to.not.match(/X{12}/);
      expect(e.xml).to.not.contain(Buffer.from('XXXXXXXXXXXX').toString('base64').slice(0, 12));
    }
    const sources: Record<string, Buffer> = { ...answers, log: Buffer.from(logs.join('\n')) };
    for (const f of filesUnder(s.dataDir)) sources[f] = fs.readFileSync(f);
    const needles: Record<string, Buffer> = { ...spellings(number), percent: Buffer.from(percent), percentLower: Buffer.from(percent.toLowerCase()), jsonEscaped: Buffer.from(jsonEscaped) };
    const hits = Object.entries(sources).flatMap(([where, bytes]) => Object.entries(needles).filter(([, needle]) => bytes.includes(needle)).map(([name]) => `${where}: ${name}`));
    expect(hits).to.deep.equal([]);
  });
});
