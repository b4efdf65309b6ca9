/**
 * The stored queries of ITI TF-2a 3.18.4.1.2.3.7, table-driven: each entry names its query id,
 * reads its parameters (required, optional, single, multiple) and asks the requester's scoped reader
 * through the criteria of entries.ts. What the reader hides does not exist here: it is in no result,
 * no count (XDSTooManyResults) and no association or package content. Results are registry objects;
 * a face of the service writes them as LeafClass or ObjectRef.
 */
import type { RegistryObject } from '../../ebxml/rim.ts';
import type { EntryCriteria, StoredEntry } from '../registry/entries.ts';
import { XdsError } from '../registry/errors.ts';
import type { CodeAttr } from '../registry/metadata.ts';
import { AssociationTypes, ObjectTypes, Status } from '../registry/schemes.ts';
import { patientIdOf } from '../registry/metadata.ts';
import type { Params } from './parameters.ts';
import type { QueryContext, StoredQueryResult as QueryResult } from './types.ts';

export interface StoredQuery {
  id: string;
  name: string;
  run(ctx: QueryContext, p: Params): Promise<QueryResult>;
}

const q = (id: string) => `urn:uuid:${id}`;

function tooMany(ctx: QueryContext, n: number): void {
  if (n > ctx.maxResults) throw new XdsError('XDSTooManyResults', `the query matches more than ${ctx.maxResults} objects`);
}

async function personsOf(ctx: QueryContext, patientId: string): Promise<number[]> {
  const person = await ctx.patients.resolve(ctx.reader, patientId);
  return person === undefined ? [] : ctx.reader.personsOf(person);
}

const DOC_CODES: [string, CodeAttr, boolean][] = [
  ['$XDSDocumentEntryClassCode', 'classCode', false],
  ['$XDSDocumentEntryTypeCode', 'typeCode', false],
  ['$XDSDocumentEntryPracticeSettingCode', 'practiceSettingCode', false],
  ['$XDSDocumentEntryHealthcareFacilityTypeCode', 'healthcareFacilityTypeCode', false],
  ['$XDSDocumentEntryEventCodeList', 'eventCodeList', true],
  ['$XDSDocumentEntryConfidentialityCode', 'confidentialityCode', true],
  ['$XDSDocumentEntryFormatCode', 'formatCode', false],
];

function codeCriteria(p: Params, list: [string, CodeAttr, boolean][]): EntryCriteria['codes'] {
  const out: NonNullable<EntryCriteria['codes']> = [];
  for (const [name, attr, and] of list) for (const g of p.codes(name, and) ?? []) out.push({ attr, codes: g });
  return out;
}

/** $XDSDocumentEntryType: stable only when absent (ITI TF-2a 3.18.4.1.2.3.6.2). */
function entryTypes(p: Params): string[] {
  return p.multi('$XDSDocumentEntryType') ?? [ObjectTypes.stableDocument];
}

/** SQL LIKE patterns of authorPerson values (ITI TF-2a 3.18.4.1.2.3.5: % and _ are wildcards). */
const likes = (v: string[] | undefined) => v?.map((x) => x.replace(/\\/g, '\\\\'));

async function find(ctx: QueryContext, c: EntryCriteria): Promise<StoredEntry[]> {
  const rows = await ctx.reader.findEntries(c, ctx.maxResults + 1);
  tooMany(ctx, rows.length);
  return rows;
}

/**
 * GetDocuments and GetFolders answering LeafClass return one patient's objects only, else
 * XDSResultNotSinglePatient and no metadata (ITI TF-2a 3.18.4.1.2.3.7.5, .6 note 3).
 */
function singlePatient(ctx: QueryContext, entries: StoredEntry[]): StoredEntry[] {
  if (ctx.returnType !== 'LeafClass') return entries;
  const patients = new Set(entries.map((e) => patientIdOf(e.object)).filter(Boolean));
  if (patients.size > 1) throw new XdsError('XDSResultNotSinglePatient', `the requested objects belong to ${patients.size} patients: ${[...patients].join(', ')}`);
  return entries;
}

async function byUuidOrUniqueId(ctx: QueryContext, p: Params, kind: 'DocumentEntry' | 'SubmissionSet' | 'Folder', uuidParam: string, uidParam: string): Promise<StoredEntry[]> {
  const { name, values } = p.oneOf(uuidParam, uidParam);
  const rows = name === uuidParam ? await ctx.reader.entries(values) : await ctx.reader.entriesByUniqueId(kind, values);
  return rows.filter((r) => r.kind === kind);
}

async function associationsAmong(ctx: QueryContext, uuids: string[], statuses = [Status.approved as string]): Promise<StoredEntry[]> {
  if (uuids.length === 0) return [];
  const set = new Set(uuids);
  const rows = await ctx.reader.associations({ sources: uuids, statuses }, ctx.maxResults * 10 + 1);
  return rows.filter((a) => a.object.type === 'Association' && set.has(a.object.targetObject));
}

const objects = (...lists: StoredEntry[][]): RegistryObject[] => {
  const seen = new Set<string>();
  const out: RegistryObject[] = [];
  for (const l of lists) for (const e of l) if (!seen.has(e.uuid)) (seen.add(e.uuid), out.push(e.object));
  return out;
};

function filterDocs(p: Params, docs: StoredEntry[]): StoredEntry[] {
  const format = p.codes('$XDSDocumentEntryFormatCode', false)?.flat();
  const conf = p.codes('$XDSDocumentEntryConfidentialityCode', true);
  const types = entryTypes(p);
  const codesOf = (e: StoredEntry, scheme: string) =>
    e.object.classifications.filter((c) => c.classificationScheme === scheme).map((c) => `${c.nodeRepresentation}^^${c.slots.find((s) => s.name === 'codingScheme')?.values[0] ?? ''}`);
  return docs.filter((d) => {
    if (!types.includes(d.object.objectType ?? '')) return false;
    if (format && !codesOf(d, 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d').some((c) => format.includes(c))) return false;
    for (const g of conf ?? []) if (!codesOf(d, 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f').some((c) => g.includes(c))) return false;
    return true;
  });
}

const findDocumentsCriteria = async (ctx: QueryContext, p: Params): Promise<{ c: EntryCriteria; patientId: string }> => {
  const patientId = p.single('$XDSDocumentEntryPatientId', true)!;
  return {
    patientId,
    c: {
      kind: 'DocumentEntry',
      personIds: await personsOf(ctx, patientId),
      statuses: p.statuses('$XDSDocumentEntryStatus'),
      objectTypes: entryTypes(p),
      times: [
        { column: 'creationTime', from: p.time('$XDSDocumentEntryCreationTimeFrom'), to: p.time('$XDSDocumentEntryCreationTimeTo'), exemptObjectType: ObjectTypes.onDemandDocument },
        { column: 'serviceStartTime', from: p.time('$XDSDocumentEntryServiceStartTimeFrom'), to: p.time('$XDSDocumentEntryServiceStartTimeTo'), absentMatches: true },
        { column: 'serviceStopTime', from: p.time('$XDSDocumentEntryServiceStopTimeFrom'), to: p.time('$XDSDocumentEntryServiceStopTimeTo'), absentMatches: true },
      ],
      codes: codeCriteria(p, DOC_CODES),
      authors: likes(p.multi('$XDSDocumentEntryAuthorPerson')),
    },
  };
};

export const STORED_QUERIES: StoredQuery[] = [
  {
    id: q('14d4debf-8f97-4251-9a74-a90016b0af0d'),
    name: 'FindDocuments',
    async run(ctx, p) {
      const { c, patientId } = await findDocumentsCriteria(ctx, p);
      return { objects: objects(await find(ctx, c)), patientId };
    },
  },
  {
    id: q('12941a89-e02e-4be5-967c-ce4bfc8fe492'),
    name: 'FindDocumentsByReferenceId',
    async run(ctx, p) {
      const { c, patientId } = await findDocumentsCriteria(ctx, p);
      c.referenceIds = p.multi('$XDSDocumentEntryReferenceIdList', true);
      return { objects: objects(await find(ctx, c)), patientId };
    },
  },
  {
    id: q('f26abbcb-ac74-4422-8a30-edb644bbc1a9'),
    name: 'FindSubmissionSets',
    async run(ctx, p) {
      const patientId = p.single('$XDSSubmissionSetPatientId', true)!;
      const author = p.single('$XDSSubmissionSetAuthorPerson');
      const rows = await find(ctx, {
        kind: 'SubmissionSet',
        personIds: await personsOf(ctx, patientId),
        statuses: p.statuses('$XDSSubmissionSetStatus'),
        times: [{ column: 'submissionTime', from: p.time('$XDSSubmissionSetSubmissionTimeFrom'), to: p.time('$XDSSubmissionSetSubmissionTimeTo') }],
        codes: codeCriteria(p, [['$XDSSubmissionSetContentType', 'contentTypeCode', false]]),
        authors: likes(author ? [author] : undefined),
        sourceIds: p.multi('$XDSSubmissionSetSourceId'),
      });
      return { objects: objects(rows), patientId };
    },
  },
  {
    id: q('958f3006-baad-4929-a4de-ff1114824431'),
    name: 'FindFolders',
    async run(ctx, p) {
      const patientId = p.single('$XDSFolderPatientId', true)!;
      const rows = await find(ctx, {
        kind: 'Folder',
        personIds: await personsOf(ctx, patientId),
        statuses: p.statuses('$XDSFolderStatus'),
        times: [{ column: 'lastUpdateTime', from: p.time('$XDSFolderLastUpdateTimeFrom'), to: p.time('$XDSFolderLastUpdateTimeTo') }],
        codes: codeCriteria(p, [['$XDSFolderCodeList', 'codeList', true]]),
      });
      return { objects: objects(rows), patientId };
    },
  },
  {
    id: q('10b545ea-725c-446d-9b95-8aeb444eddf3'),
    name: 'GetAll',
    async run(ctx, p) {
      const patientId = p.single('$patientId', true)!;
      const personIds = await personsOf(ctx, patientId);
      const docs = filterDocs(
        p,
        await find(ctx, { kind: 'DocumentEntry', personIds, statuses: p.statuses('$XDSDocumentEntryStatus'), objectTypes: entryTypes(p) }),
      );
      const sets = await find(ctx, { kind: 'SubmissionSet', personIds, statuses: p.statuses('$XDSSubmissionSetStatus') });
      const folders = await find(ctx, { kind: 'Folder', personIds, statuses: p.statuses('$XDSFolderStatus') });
      const ids = [...docs, ...sets, ...folders].map((e) => e.uuid);
      const assocs = await associationsAmong(ctx, ids);
      tooMany(ctx, ids.length + assocs.length);
      return { objects: objects(docs, sets, folders, assocs), patientId };
    },
  },
  {
    id: q('5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4'),
    name: 'GetDocuments',
    async run(ctx, p) {
      return { objects: objects(singlePatient(ctx, await byUuidOrUniqueId(ctx, p, 'DocumentEntry', '$XDSDocumentEntryEntryUUID', '$XDSDocumentEntryUniqueId'))) };
    },
  },
  {
    id: q('5737b14c-8a1a-4539-b659-e03a34a5e1e4'),
    name: 'GetFolders',
    async run(ctx, p) {
      return { objects: objects(singlePatient(ctx, await byUuidOrUniqueId(ctx, p, 'Folder', '$XDSFolderEntryUUID', '$XDSFolderUniqueId'))) };
    },
  },
  {
    id: q('a7ae438b-4bc2-4642-93e9-be891f7bb155'),
    name: 'GetAssociations',
    async run(ctx, p) {
      const uuids = p.multi('$uuid', true)!;
      const rows = await ctx.reader.associations({ either: uuids }, ctx.maxResults + 1);
      tooMany(ctx, rows.length);
      return { objects: objects(rows) };
    },
  },
  {
    id: q('bab9529a-4a10-40b3-a01f-f68a615d247a'),
    name: 'GetDocumentsAndAssociations',
    async run(ctx, p) {
      const docs = singlePatient(ctx, await byUuidOrUniqueId(ctx, p, 'DocumentEntry', '$XDSDocumentEntryEntryUUID', '$XDSDocumentEntryUniqueId'));
      const assocs = docs.length ? await ctx.reader.associations({ either: docs.map((d) => d.uuid) }, ctx.maxResults + 1) : [];
      tooMany(ctx, docs.length + assocs.length);
      return { objects: objects(docs, assocs) };
    },
  },
  {
    id: q('51224314-5390-4169-9b91-b1980040715a'),
    name: 'GetSubmissionSets',
    async run(ctx, p) {
      const uuids = p.multi('$uuid', true)!;
      const members = await ctx.reader.associations({ targets: uuids, types: [AssociationTypes.hasMember] }, ctx.maxResults * 10 + 1);
      const sources = await ctx.reader.entries(members.map((m) => (m.object as { sourceObject: string }).sourceObject));
      const sets = sources.filter((e) => e.kind === 'SubmissionSet');
      const setIds = new Set(sets.map((s) => s.uuid));
      const assocs = members.filter((m) => setIds.has((m.object as { sourceObject: string }).sourceObject));
      tooMany(ctx, sets.length + assocs.length);
      return { objects: objects(sets, assocs) };
    },
  },
  {
    id: q('e8e3cb2c-e39c-46b9-99e4-c12f57260b83'),
    name: 'GetSubmissionSetAndContents',
    async run(ctx, p) {
      const sets = await byUuidOrUniqueId(ctx, p, 'SubmissionSet', '$XDSSubmissionSetEntryUUID', '$XDSSubmissionSetUniqueId');
      if (sets.length === 0) return { objects: [] };
      return contentsOf(ctx, p, sets[0]);
    },
  },
  {
    id: q('b909a503-523d-4517-8acf-8e5834dfc4c7'),
    name: 'GetFolderAndContents',
    async run(ctx, p) {
      const folders = await byUuidOrUniqueId(ctx, p, 'Folder', '$XDSFolderEntryUUID', '$XDSFolderUniqueId');
      if (folders.length === 0) return { objects: [] };
      return contentsOf(ctx, p, folders[0]);
    },
  },
  {
    id: q('10cae35a-c7f9-4cf5-b61e-fc3278ffb578'),
    name: 'GetFoldersForDocument',
    async run(ctx, p) {
      const docs = await byUuidOrUniqueId(ctx, p, 'DocumentEntry', '$XDSDocumentEntryEntryUUID', '$XDSDocumentEntryUniqueId');
      if (docs.length === 0) return { objects: [] };
      const members = await ctx.reader.associations({ targets: docs.map((d) => d.uuid), types: [AssociationTypes.hasMember], statuses: [Status.approved] }, ctx.maxResults * 10 + 1);
      const folders = (await ctx.reader.entries(members.map((m) => (m.object as { sourceObject: string }).sourceObject))).filter((e) => e.kind === 'Folder');
      tooMany(ctx, folders.length);
      return { objects: objects(folders) };
    },
  },
  {
    id: q('d90e5407-b356-4d91-a89f-873917b4b0e6'),
    name: 'GetRelatedDocuments',
    async run(ctx, p) {
      const docs = await byUuidOrUniqueId(ctx, p, 'DocumentEntry', '$XDSDocumentEntryEntryUUID', '$XDSDocumentEntryUniqueId');
      const types = p.multi('$AssociationTypes', true)!;
      if (docs.length === 0) return { objects: [] };
      const doc = docs[0];
      const assocs = (await ctx.reader.associations({ either: [doc.uuid], types }, ctx.maxResults + 1)).filter(
        (a) => a.object.type === 'Association' && a.object.associationType !== AssociationTypes.hasMember,
      );
      const others = (await ctx.reader.entries(assocs.map((a) => (a.object as { sourceObject: string; targetObject: string }).sourceObject === doc.uuid ? (a.object as { targetObject: string }).targetObject : (a.object as { sourceObject: string }).sourceObject))).filter(
        (e) => e.kind === 'DocumentEntry',
      );
      if (assocs.length === 0) return { objects: [] };
      tooMany(ctx, 1 + assocs.length + others.length);
      return { objects: objects([doc], others, assocs) };
    },
  },
];

/** A SubmissionSet's or Folder's members and the HasMember associations that hold them (ITI TF-2a 3.18.4.1.2.3.7.11, .12). */
async function contentsOf(ctx: QueryContext, p: Params, pkg: StoredEntry): Promise<QueryResult> {
  // A membership deprecated by ITI-57 (UpdateAvailabilityStatus) no longer holds its member.
  const members = await ctx.reader.associations({ sources: [pkg.uuid], types: [AssociationTypes.hasMember], statuses: [Status.approved] }, ctx.maxResults * 10 + 1);
  const targets = await ctx.reader.entries(members.map((m) => (m.object as { targetObject: string }).targetObject));
  const docs = filterDocs(p, targets.filter((t) => t.kind === 'DocumentEntry'));
  const folders = targets.filter((t) => t.kind === 'Folder');
  const assocTargets = targets.filter((t) => t.kind === 'Association');
  const kept = new Set([...docs, ...folders, ...assocTargets].map((e) => e.uuid));
  const docIds = new Set(docs.map((d) => d.uuid));
  // Folder memberships submitted with the set: kept when their document is.
  const innerAssocs = assocTargets.filter((a) => a.object.type === 'Association' && docIds.has(a.object.targetObject));
  const memberAssocs = members.filter((m) => kept.has((m.object as { targetObject: string }).targetObject) && (!assocTargets.some((a) => a.uuid === (m.object as { targetObject: string }).targetObject) || innerAssocs.some((a) => a.uuid === (m.object as { targetObject: string }).targetObject)));
  const result = objects([pkg], docs, folders, memberAssocs, innerAssocs);
  tooMany(ctx, result.length);
  return { objects: result, patientId: undefined };
}

export const QUERIES_BY_ID = new Map(STORED_QUERIES.map((s) => [s.id, s]));
