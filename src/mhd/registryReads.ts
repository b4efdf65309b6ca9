/**
 * How the Document Responder reads the registry: every read is a Registry Stored Query run by the
 * stored-query service of ITI-18 (xds/query/runner.ts) with the requester's scoped reader, so that
 * what consent withholds is absent here exactly as it is from ITI-18 (ITI TF-2 3.66.4.1.3.1,
 * 3.67.4.1.3.1: "shall execute a Registry Stored Query [ITI-18]"). Lists of entryUUIDs are sent in
 * chunks of the most values one parameter may have.
 */
import type { ScopedReader } from '../consent/scopedReader.ts';
import type { Association, ExtrinsicObject, RegistryObject, RegistryPackage, Slot } from '../ebxml/rim.ts';
import type { StoredQueryRunner } from '../xds/query/runner.ts';
import { STORED_QUERIES } from '../xds/query/storedQueries.ts';
import { AssociationTypes, ObjectTypes, Status } from '../xds/registry/schemes.ts';
import { slot } from './search.ts';

const idOf = (name: string) => STORED_QUERIES.find((q) => q.name === name)!.id;
export const QueryIds = {
  findDocuments: idOf('FindDocuments'),
  findDocumentsByReferenceId: idOf('FindDocumentsByReferenceId'),
  findSubmissionSets: idOf('FindSubmissionSets'),
  findFolders: idOf('FindFolders'),
  getDocuments: idOf('GetDocuments'),
  getFolders: idOf('GetFolders'),
  getAssociations: idOf('GetAssociations'),
  getSubmissionSetAndContents: idOf('GetSubmissionSetAndContents'),
  getFolderAndContents: idOf('GetFolderAndContents'),
} as const;

export const isDocument = (o: RegistryObject): o is ExtrinsicObject => o.type === 'ExtrinsicObject';
export const isAssociation = (o: RegistryObject): o is Association => o.type === 'Association';
export const isPackage = (o: RegistryObject): o is RegistryPackage => o.type === 'RegistryPackage';
export const isFolder = (p: RegistryPackage) => p.classifications.some((c) => c.classificationNode === ObjectTypes.folder);

export class RegistryReads {
  constructor(
    private readonly runner: StoredQueryRunner,
    /** The most values one stored-query parameter may have (xds.registry.maxQueryValues). */
    private readonly maxValues: number,
  ) {}

  /** One stored query, LeafClass. */
  async run(reader: ScopedReader, queryId: string, parameters: Slot[]): Promise<RegistryObject[]> {
    return (await this.runner.run(reader, { queryId, parameters, returnType: 'LeafClass' })).objects as RegistryObject[];
  }

  private async chunked(reader: ScopedReader, queryId: string, param: string, uuids: string[]): Promise<RegistryObject[]> {
    const out: RegistryObject[] = [];
    for (let i = 0; i < uuids.length; i += this.maxValues) out.push(...(await this.run(reader, queryId, [slot(param, uuids.slice(i, i + this.maxValues))])));
    return out;
  }

  /** Approved associations with one end among `uuids` (GetAssociations). */
  async associations(reader: ScopedReader, uuids: string[]): Promise<Association[]> {
    return (await this.chunked(reader, QueryIds.getAssociations, '$uuid', uuids)).filter(isAssociation).filter((a) => a.status === undefined || a.status === Status.approved);
  }

  /** DocumentEntries by entryUUID, of any status (GetDocuments). */
  async documents(reader: ScopedReader, uuids: string[]): Promise<ExtrinsicObject[]> {
    return (await this.chunked(reader, QueryIds.getDocuments, '$XDSDocumentEntryEntryUUID', uuids)).filter(isDocument);
  }

  /** Folders by entryUUID (GetFolders). */
  async folders(reader: ScopedReader, uuids: string[]): Promise<RegistryPackage[]> {
    return (await this.chunked(reader, QueryIds.getFolders, '$XDSFolderEntryUUID', uuids)).filter(isPackage);
  }

  /** The document relationships (RPLC, XFRM, APND, signs, ...) from each of these entries. */
  async relationships(reader: ScopedReader, uuids: string[]): Promise<Map<string, { associationType: string; targetUuid: string }[]>> {
    const out = new Map<string, { associationType: string; targetUuid: string }[]>();
    if (uuids.length === 0) return out;
    const set = new Set(uuids);
    for (const a of await this.associations(reader, uuids)) {
      if (a.associationType === AssociationTypes.hasMember || !set.has(a.sourceObject)) continue;
      let l = out.get(a.sourceObject);
      if (!l) out.set(a.sourceObject, (l = []));
      l.push({ associationType: a.associationType, targetUuid: a.targetObject });
    }
    return out;
  }

  /** The members (HasMember targets that are documents or folders) of each package. */
  async members(reader: ScopedReader, packages: string[]): Promise<Map<string, { uuid: string; kind: 'DocumentEntry' | 'Folder' }[]>> {
    const out = new Map<string, { uuid: string; kind: 'DocumentEntry' | 'Folder' }[]>();
    if (packages.length === 0) return out;
    const set = new Set(packages);
    const memberships = (await this.associations(reader, packages)).filter((a) => a.associationType === AssociationTypes.hasMember && set.has(a.sourceObject));
    const targets = [...new Set(memberships.map((a) => a.targetObject))];
    const docs = new Set((await this.documents(reader, targets)).map((d) => d.id));
    const folders = new Set((await this.folders(reader, targets.filter((t) => !docs.has(t)))).map((f) => f.id));
    for (const a of memberships) {
      const kind = docs.has(a.targetObject) ? 'DocumentEntry' : folders.has(a.targetObject) ? 'Folder' : undefined;
      if (!kind) continue;
      let l = out.get(a.sourceObject);
      if (!l) out.set(a.sourceObject, (l = []));
      l.push({ uuid: a.targetObject, kind });
    }
    return out;
  }
}
