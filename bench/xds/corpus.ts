/**
 * Registries of a given size for the ITI-18 benchmark: about ten DocumentEntries per patient, each
 * patient's documents in one SubmissionSet with their HasMember associations, written straight
 * through the store (tx.registry.insertEntry, the rows ITI-42 writes) in batches, and cached under
 * var/bench so that a 1,000,000-entry registry is built once.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeRegistryObjectList, registryObjectListOf } from '../../src/ebxml/decode.ts';
import { setSlot, type Association, type ExtrinsicObject, type RegistryObject, type RegistryPackage } from '../../src/ebxml/rim.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { associationIndex, documentIndex, partition, submissionSetIndex } from '../../src/xds/registry/metadata.ts';
import { DocumentEntrySchemes, Status, SubmissionSetSchemes } from '../../src/xds/registry/schemes.ts';
import { parseXml } from '../../src/xml/parse.ts';
import { submitObjectsRequest } from '../../test/helpers/xdsMetadata.ts';

export const AFFINITY_OID = '2.999.392.1.2';
export const DOCS_PER_PATIENT = 10;
/** The affinity domain named in the config of every bench server (otherwise a server on a new data folder makes one of its own). */
export const REGIONAL_AUTHORITY = { namespace: 'REGION', oid: AFFINITY_OID };
export const CORPUS_VERSION = 1;

export const regionalId = (p: number) => `B${String(p).padStart(10, '0')}`;
export const patientCx = (p: number) => `${regionalId(p)}^^^&${AFFINITY_OID}&ISO`;

export const CLASS_CODES: [string, string][] = [
  ['11488-4', '2.16.840.1.113883.6.1'],
  ['18842-5', '2.16.840.1.113883.6.1'],
  ['34133-9', '2.16.840.1.113883.6.1'],
];

/** One submission's objects as the test builder writes them, decoded once and cloned per patient. */
function template(): { doc: ExtrinsicObject; ss: RegistryPackage; member: Association } {
  const xml = submitObjectsRequest({ patientId: patientCx(0), docs: [{ id: 'urn:uuid:00000000-0000-4000-8000-000000000001' }], submissionSetId: 'urn:uuid:00000000-0000-4000-8000-000000000002' });
  const objects = decodeRegistryObjectList(registryObjectListOf(parseXml(xml))!);
  const sub = partition(objects);
  return { doc: sub.documents[0], ss: sub.submissionSets[0], member: sub.associations[0] };
}

function retarget(o: RegistryObject, id: string): void {
  o.id = id;
  o.lid = id;
  o.status = Status.approved;
  o.versionName = '1';
  for (const c of o.classifications) c.classifiedObject = id;
  for (const e of o.externalIdentifiers) e.registryObject = id;
}

function setExternalId(o: RegistryObject, scheme: string, value: string): void {
  const e = o.externalIdentifiers.find((x) => x.identificationScheme === scheme)!;
  e.value = value;
}

export interface Corpus {
  dataDir: string;
  entries: number;
  patients: number;
}

/** The cached registry of `entries` DocumentEntries under var/bench, built when absent. */
export async function corpus(entries: number, root: string, progress: (msg: string) => void): Promise<Corpus> {
  const patients = Math.ceil(entries / DOCS_PER_PATIENT);
  const dataDir = path.join(root, `xds-registry-${entries}`);
  const marker = path.join(dataDir, 'corpus.json');
  if (fs.existsSync(marker)) {
    const m = JSON.parse(fs.readFileSync(marker, 'utf8'));
    if (m.version === CORPUS_VERSION && m.entries === entries) return { dataDir, entries, patients };
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const store = new SqliteStore({ path: path.join(dataDir, 'hie.db'), synchronous: 'NORMAL' });
  const t = template();
  const batch = 500;
  const t0 = performance.now();
  try {
    for (let first = 0; first < patients; first += batch) {
      const last = Math.min(patients, first + batch);
      await store.write(async (tx) => {
        for (let p = first; p < last; p++) {
          const person = await tx.identity.createPerson(null, { id: regionalId(p) });
          const ssId = `urn:uuid:${randomUUID()}`;
          const ss = structuredClone(t.ss);
          retarget(ss, ssId);
          setExternalId(ss, SubmissionSetSchemes.patientId, patientCx(p));
          setExternalId(ss, SubmissionSetSchemes.uniqueId, `1.2.392.999.301.${p}`);
          await tx.registry.insertEntry({ uuid: ssId, kind: 'SubmissionSet', lid: ssId, version: 1, status: Status.approved, personId: person.id, object: ss, facility: null, index: submissionSetIndex(ss) });
          const docsHere = Math.min(DOCS_PER_PATIENT, entries - p * DOCS_PER_PATIENT);
          for (let k = 0; k < docsHere; k++) {
            const id = `urn:uuid:${randomUUID()}`;
            const doc = structuredClone(t.doc);
            retarget(doc, id);
            setExternalId(doc, DocumentEntrySchemes.patientId, patientCx(p));
            setExternalId(doc, DocumentEntrySchemes.uniqueId, `1.2.392.999.300.${p}.${k}`);
            setSlot(doc, 'creationTime', [`20${String(10 + (k % 15)).padStart(2, '0')}0${1 + (k % 9)}15103000`]);
            const cls = doc.classifications.find((c) => c.classificationScheme === DocumentEntrySchemes.classCode)!;
            cls.nodeRepresentation = CLASS_CODES[k % CLASS_CODES.length][0];
            await tx.registry.insertEntry({ uuid: id, kind: 'DocumentEntry', lid: id, version: 1, status: Status.approved, personId: person.id, object: doc, facility: null, index: documentIndex(doc) });
            const member = structuredClone(t.member);
            const memberId = `urn:uuid:${randomUUID()}`;
            Object.assign(member, { id: memberId, sourceObject: ssId, targetObject: id, status: Status.approved });
            await tx.registry.insertEntry({ uuid: memberId, kind: 'Association', lid: memberId, version: 1, status: Status.approved, personId: null, object: member, facility: null, index: associationIndex() });
          }
        }
      });
      if (Math.floor((first / patients) * 10) !== Math.floor((last / patients) * 10) || last === patients) {
        progress(`  building ${entries.toLocaleString()} entries: ${Math.round((last / patients) * 100)}% (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
    }
  } finally {
    await store.close();
  }
  fs.writeFileSync(marker, JSON.stringify({ version: CORPUS_VERSION, entries, patients, builtAt: new Date().toISOString() }));
  return { dataDir, entries, patients };
}
