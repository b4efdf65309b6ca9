/**
 * Property (issue 14, Tests): for random consents, documents and requesters, no byte of any response
 * of any read path to a requester who may not see a document contains its uniqueId, entryUUID or
 * hash. The real consent service decides; the real transactions answer in process; the oracle is the
 * consent service's own view of each document. A seeded PRNG makes every run the same cases.
 */
import { expect } from 'chai';
import { affinityPid, HOSP_A, HOSP_B, readFixture, testNode as node, type ReadFixture } from '../../test/helpers/readFixture.ts';
import { readPaths, type ReadPaths } from '../../test/helpers/readPaths.ts';
import { APPROVED } from '../../test/helpers/xdsQuery.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import { Random } from '../ssmix/generator/random.ts';
import type { StoredEntry } from '../xds/registry/entries.ts';
import { emptyTerms, PARTICIPATIONS, type Code, type ConsentTerms } from './model.ts';

const SEED = 0x1e14;
const CASES = 300;
const HOSP_C = { namespace: 'HOSP_C', oid: '1.2.392.999.3', type: 'ISO' };
const FACILITIES = [HOSP_A.oid, HOSP_B.oid, HOSP_C.oid];
const PEER = 'urn:oid:1.2.392.999.900';
const CLASS_CODES: [string, string][] = [
  ['11488-4', '2.16.840.1.113883.6.1'],
  ['PSY', '1.2.392.999.9.1'],
];
const CONF_CODES: [string, string][] = [
  ['N', '2.16.840.1.113883.5.25'],
  ['R', '2.16.840.1.113883.5.25'],
];


const REQUESTERS: RequestContext[] = [
  ...FACILITIES.map((f, i) => ({ transport: 'soap' as const, address: '192.0.2.1', node: node(`hosp-${i}`, [f], ['consumer']) })),
  { transport: 'soap', address: '192.0.2.2', node: node('peer', [], ['gateway'], { homeCommunityId: PEER }) },
  { transport: 'soap', address: '192.0.2.3', node: node('nobody', [], ['consumer']) },
  { transport: 'soap', address: '192.0.2.4', node: node('er', [HOSP_C.oid], ['consumer'], { breakGlass: new Set(['EMERGENCY']) }), purposeOfUse: { code: 'EMERGENCY' } },
];

interface Patient {
  personId: number;
  regional: string;
  local: string;
  docs: StoredEntry[];
  sets: string[];
  folders: string[];
}

describe('Property: a requester who may not see a document never receives a byte of its uniqueId, entryUUID or hash', function () {
  this.timeout(120_000);
  let f: ReadFixture;
  let paths: ReadPaths;
  const patients: Patient[] = [];
  const random = new Random(SEED);
  const rnd = () => random.next();
  const pick = <T>(l: readonly T[]): T => l[Math.floor(rnd() * l.length)];
  const some = <T>(l: readonly T[]): T[] => l.filter(() => rnd() < 0.4);
  let serial = 0;

  before(async () => {
    f = await readFixture({ consent: true });
    paths = readPaths(f, 1000);
    for (let p = 0; p < 4; p++) {
      const regional = `PROP-${p}`;
      const local = `PROP-L${p}`;
      const locals = [{ authority: HOSP_A, id: local }, ...(rnd() < 0.5 ? [{ authority: HOSP_B, id: `PROP-B${p}` }] : [])];
      const personId = await f.patient(regional, locals, `PROPERTY^P${p}`);
      const patient: Patient = { personId, regional, local, docs: [], sets: [], folders: [] };
      for (let s = 0; s < 3; s++) {
        const facility = pick(FACILITIES);
        const docs = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => {
          const n = String(++serial).padStart(6, '0');
          return { uniqueId: `1.2.392.999.77.${n}`, content: Buffer.from(`property document ${n}`), classCode: pick(CLASS_CODES), confidentialityCode: pick(CONF_CODES) };
        });
        const spec = await f.submit({ patientId: affinityPid(regional), docs, folder: rnd() < 0.5 ? {} : false }, facility);
        for (const d of docs) {
          patient.docs.push(await f.entry(d.uniqueId));
          await f.storeDocument(d.uniqueId, d.content);
        }
        const [ss] = await f.store.read((tx) => tx.registry.entriesByUniqueId('SubmissionSet', [spec.submissionSetUniqueId!]));
        patient.sets.push(ss.uuid);
        if (spec.folder) patient.folders.push((await f.store.read((tx) => tx.registry.entriesByUniqueId('Folder', [(spec.folder as { uniqueId: string }).uniqueId])))[0].uuid);
      }
      patients.push(patient);
    }
  });
  after(() => f?.close());

  const code = ([c, s]: [string, string]): Code => ({ code: c, codingScheme: s });
  function randomTerms(p: Patient): ConsentTerms {
    const w = emptyTerms().withheld;
    return {
      ...emptyTerms(),
      participation: pick(PARTICIPATIONS),
      facilities: some(FACILITIES),
      peerRegions: rnd() < 0.3 ? [PEER] : [],
      withheld: {
        ...w,
        classCodes: some(CLASS_CODES).map(code),
        confidentialityCodes: some(CONF_CODES).map(code),
        facilities: rnd() < 0.2 ? [pick(FACILITIES)] : [],
        documents: some(p.docs).map((d) => d.uniqueId!),
      },
      ...(rnd() < 0.1 ? { validUntil: '2000-01-01T00:00:00Z' } : {}),
    };
  }

  type Path = (ctx: RequestContext, p: Patient) => Promise<{ text: string; echoed: string[] }>;
  const q = (id: string, params: Record<string, string | string[]>): Path => async (ctx) => ({ text: await paths.iti18(ctx, id, params), echoed: [] });
  const PATHS: Record<string, Path> = {
    FindDocuments: (ctx, p) => q('urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', { $XDSDocumentEntryPatientId: affinityPid(p.regional), $XDSDocumentEntryStatus: [APPROVED] })(ctx, p),
    GetAll: (ctx, p) =>
      q('urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3', { $patientId: affinityPid(p.regional), $XDSDocumentEntryStatus: [APPROVED], $XDSSubmissionSetStatus: [APPROVED], $XDSFolderStatus: [APPROVED] })(ctx, p),
    GetDocuments: (ctx, p) => q('urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4', { $XDSDocumentEntryEntryUUID: p.docs.map((d) => d.uuid) })(ctx, p),
    GetAssociations: (ctx, p) => q('urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155', { $uuid: p.docs.map((d) => d.uuid) })(ctx, p),
    GetSubmissionSets: (ctx, p) => q('urn:uuid:51224314-5390-4169-9b91-b1980040715a', { $uuid: p.docs.map((d) => d.uuid) })(ctx, p),
    GetSubmissionSetAndContents: (ctx, p) => q('urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83', { $XDSSubmissionSetEntryUUID: pick(p.sets), $XDSDocumentEntryStatus: [APPROVED] })(ctx, p),
    GetFolderAndContents: (ctx, p) =>
      p.folders.length ? q('urn:uuid:b909a503-523d-4517-8acf-8e5834dfc4c7', { $XDSFolderEntryUUID: pick(p.folders), $XDSDocumentEntryStatus: [APPROVED] })(ctx, p) : PATHS.GetAll(ctx, p),
    GetFoldersForDocument: (ctx, p) => q('urn:uuid:10cae35a-c7f9-4cf5-b61e-fc3278ffb578', { $XDSDocumentEntryUniqueId: pick(p.docs).uniqueId! })(ctx, p),
    'ITI-43': async (ctx, p) => {
      const r = await paths.iti43(ctx, p.docs.map((d) => d.uniqueId!));
      // The request's own uniqueIds come back as the location of an error, as for unknown documents.
      return { text: r.xml, echoed: p.docs.map((d) => d.uniqueId!) };
    },
    'ITI-9': async (ctx, p) => ({ text: JSON.stringify(await paths.iti9(ctx, `${p.local}^^^HOSP_A&1.2.392.999.1&ISO`)), echoed: [] }),
    'ITI-21': async (ctx, p) => ({ text: JSON.stringify(await paths.iti21(ctx, `PROPERTY`)), echoed: [] }),
  };

  it(`holds for ${CASES} random cases (seed ${SEED})`, async () => {
    let shownDocuments = 0;
    let hiddenChecks = 0;
    for (let n = 0; n < CASES; n++) {
      const p = pick(patients);
      if (rnd() < 0.15) await f.store.write((tx) => f.consent.set(tx, p.personId, { ...emptyTerms(), participation: 'opted-in' }, { who: 'property', source: { kind: 'desk' } }).then(() => f.consent.revoke(tx, p.personId, { who: 'property', source: { kind: 'desk' } })));
      else await f.store.write((tx) => f.consent.set(tx, p.personId, randomTerms(p), { who: 'property', source: { kind: 'desk' } }));
      const ctx = pick(REQUESTERS);
      const name = pick(Object.keys(PATHS));
      const { text, echoed } = await PATHS[name](ctx, p);
      const view = await f.store.read((tx) => f.consent.viewOf(tx, ctx, p.personId));
      for (const d of p.docs) {
        if (view.document(d)) {
          if (text.includes(d.uuid) || text.includes(`>${d.uniqueId}<`)) shownDocuments++;
          continue;
        }
        hiddenChecks++;
        const where = `case ${n}: ${name} by ${ctx.node!.name}, document ${d.uniqueId}`;
        expect(text, `${where}: entryUUID`).to.not.contain(d.uuid);
        expect(text, `${where}: hash`).to.not.contain(d.hash!);
        if (echoed.includes(d.uniqueId!)) expect(text, `${where}: returned`).to.not.contain(`<xdsb:DocumentUniqueId>${d.uniqueId}</xdsb:DocumentUniqueId>`);
        else expect(text, `${where}: uniqueId`).to.not.contain(d.uniqueId!);
      }
      // The patient's identifiers leave only to a requester who may find the patient.
      if (!view.patientVisible && (name === 'ITI-9' || name === 'ITI-21')) expect(text, `case ${n}: ${name} names a hidden patient`).to.not.contain(p.regional);
    }
    // Not vacuous: the cases both showed documents and hid some.
    expect(shownDocuments).to.be.greaterThan(CASES / 10);
    expect(hiddenChecks).to.be.greaterThan(CASES / 2);
  });
});
