/**
 * Builds XDS.b metadata for tests and benchmarks: a SubmitObjectsRequest with DocumentEntries, a
 * SubmissionSet and optionally a Folder, every required attribute present (ITI TF-3 4.3.1).
 */
import { createHash, randomUUID } from 'node:crypto';

export const STABLE = 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1';
export const ON_DEMAND = 'urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248';

export interface DocSpec {
  id?: string;
  /** logicalID: set for a new version (ITI-57). */
  lid?: string;
  /** ITI-57: the PreviousVersion slot of the SubmissionSet's HasMember. */
  previousVersion?: number;
  /** ITI-57: the AssociationPropagation slot of the SubmissionSet's HasMember. */
  associationPropagation?: 'yes' | 'no' | string;
  uniqueId?: string;
  content?: Buffer;
  hash?: string;
  size?: number;
  repositoryUniqueId?: string;
  mimeType?: string;
  classCode?: [string, string];
  typeCode?: [string, string];
  eventCodes?: [string, string][];
  confidentialityCode?: [string, string];
  creationTime?: string;
  serviceStartTime?: string;
  serviceStopTime?: string;
  author?: string;
  title?: string;
  objectType?: string;
  patientId?: string;
  extraSlots?: [string, string][];
  referenceIds?: string[];
}

export interface SubmissionSpec {
  patientId: string;
  docs: DocSpec[];
  folder?: { id?: string; lid?: string; previousVersion?: number; uniqueId?: string; code?: [string, string]; patientId?: string } | false;
  submissionSetId?: string;
  submissionSetUniqueId?: string;
  /** Extra associations (e.g. RPLC), as XML. */
  associations?: string[];
  /** Existing documents (UUIDs) to add to the submission as references. */
  references?: string[];
}

let counter = 0;
export const uniqueOid = (root = '1.2.392.999.100') => `${root}.${process.pid}.${Date.now()}.${++counter}`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const slot = (name: string, ...values: string[]) => `<rim:Slot name="${esc(name)}"><rim:ValueList>${values.map((v) => `<rim:Value>${esc(v)}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`;
const name = (v: string) => `<rim:Name><rim:LocalizedString xml:lang="ja" value="${esc(v)}"/></rim:Name>`;
const code = (id: string, scheme: string, obj: string, [c, s]: [string, string], display = c) =>
  `<rim:Classification id="${id}" classificationScheme="${scheme}" classifiedObject="${obj}" nodeRepresentation="${esc(c)}">${slot('codingScheme', s)}${name(display)}</rim:Classification>`;
const ei = (id: string, scheme: string, obj: string, value: string, label: string) =>
  `<rim:ExternalIdentifier id="${id}" identificationScheme="${scheme}" registryObject="${obj}" value="${esc(value)}">${name(label)}</rim:ExternalIdentifier>`;

/**
 * The repository ITI-42 requests name by default: one elsewhere in the affinity domain. The test
 * server's own (2.999.392.1.3) holds only what was provided to it, and the registry refuses entries
 * that name it without their bytes (src/xds/iti42/ownRepository.ts).
 */
export const OTHER_REPOSITORY = '2.999.392.1.30';

export function sha1(b: Buffer): string {
  return createHash('sha1').update(b).digest('hex');
}

export function documentEntryXml(d: DocSpec, patientId: string, withRepositoryAttributes = true): string {
  const id = d.id!;
  const u = () => `urn:uuid:${randomUUID()}`;
  const content = d.content ?? Buffer.from(`document ${id}`);
  return (
    `<rim:ExtrinsicObject id="${id}"${d.lid ? ` lid="${d.lid}"` : ''} mimeType="${d.mimeType ?? 'text/plain'}" objectType="${d.objectType ?? STABLE}">` +
    slot('creationTime', d.creationTime ?? '20240101120000') +
    slot('languageCode', 'ja-JP') +
    (d.serviceStartTime ? slot('serviceStartTime', d.serviceStartTime) : '') +
    (d.serviceStopTime ? slot('serviceStopTime', d.serviceStopTime) : '') +
    slot('sourcePatientId', 'L001^^^&1.2.392.999.1&ISO') +
    slot('sourcePatientInfo', 'PID-3|L001^^^&1.2.392.999.1&ISO', 'PID-5|山田^太郎^^^', 'PID-7|19700101', 'PID-8|M') +
    (withRepositoryAttributes
      ? slot('hash', d.hash ?? sha1(content)) + slot('size', String(d.size ?? content.length)) + slot('repositoryUniqueId', d.repositoryUniqueId ?? OTHER_REPOSITORY)
      : '') +
    (d.referenceIds ? slot('urn:ihe:iti:xds:2013:referenceIdList', ...d.referenceIds) : '') +
    (d.extraSlots ?? []).map(([n, v]) => slot(n, v)).join('') +
    name(d.title ?? '診療情報提供書') +
    `<rim:Classification id="${u()}" classificationScheme="urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d" classifiedObject="${id}" nodeRepresentation="">${slot('authorPerson', d.author ?? '^山田^花子^^^')}${slot('authorInstitution', '東京病院^^^^^&1.2.392.999.1&ISO^^^^1.2.392.999.1')}</rim:Classification>` +
    code(u(), 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a', id, d.classCode ?? ['11488-4', '2.16.840.1.113883.6.1']) +
    code(u(), 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f', id, d.confidentialityCode ?? ['N', '2.16.840.1.113883.5.25']) +
    (d.eventCodes ?? []).map((e) => code(u(), 'urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4', id, e)).join('') +
    code(u(), 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d', id, ['urn:ihe:iti:xds:2017:mimeTypeSufficient', '1.3.6.1.4.1.19376.1.2.3']) +
    code(u(), 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1', id, ['22232009', '2.16.840.1.113883.6.96']) +
    code(u(), 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead', id, ['394802001', '2.16.840.1.113883.6.96']) +
    code(u(), 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983', id, d.typeCode ?? ['57133-1', '2.16.840.1.113883.6.1']) +
    ei(u(), 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427', id, d.patientId ?? patientId, 'XDSDocumentEntry.patientId') +
    ei(u(), 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab', id, d.uniqueId!, 'XDSDocumentEntry.uniqueId') +
    '</rim:ExtrinsicObject>'
  );
}

/** The RegistryObjectList content of a submission; ids are filled into `spec` where absent. */
export function submissionObjectsXml(spec: SubmissionSpec, withRepositoryAttributes = true): string {
  const u = () => `urn:uuid:${randomUUID()}`;
  const ss = (spec.submissionSetId ??= 'SubmissionSet01');
  spec.submissionSetUniqueId ??= uniqueOid();
  const parts: string[] = [];
  spec.docs.forEach((d, i) => {
    d.id ??= `Document${String(i + 1).padStart(2, '0')}`;
    d.uniqueId ??= uniqueOid();
    parts.push(documentEntryXml(d, spec.patientId, withRepositoryAttributes));
  });
  parts.push(
    `<rim:RegistryPackage id="${ss}">` +
      slot('submissionTime', '20240101120000') +
      name('紹介状') +
      `<rim:Classification id="${u()}" classificationScheme="urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d" classifiedObject="${ss}" nodeRepresentation="">${slot('authorPerson', '^山田^花子^^^')}</rim:Classification>` +
      code(u(), 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500', ss, ['18748-4', '2.16.840.1.113883.6.1']) +
      ei(u(), 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8', ss, spec.submissionSetUniqueId, 'XDSSubmissionSet.uniqueId') +
      ei(u(), 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832', ss, '1.2.392.999.1', 'XDSSubmissionSet.sourceId') +
      ei(u(), 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446', ss, spec.patientId, 'XDSSubmissionSet.patientId') +
      '</rim:RegistryPackage>',
    `<rim:Classification id="${u()}" classifiedObject="${ss}" classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>`,
  );
  for (const d of spec.docs) {
    const update = (d.previousVersion !== undefined ? slot('PreviousVersion', String(d.previousVersion)) : '') + (d.associationPropagation ? slot('AssociationPropagation', d.associationPropagation) : '');
    parts.push(`<rim:Association id="${u()}" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="${ss}" targetObject="${d.id}">${slot('SubmissionSetStatus', 'Original')}${update}</rim:Association>`);
  }
  for (const r of spec.references ?? []) {
    parts.push(`<rim:Association id="${u()}" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="${ss}" targetObject="${r}">${slot('SubmissionSetStatus', 'Reference')}</rim:Association>`);
  }
  if (spec.folder) {
    const f = (spec.folder.id ??= 'Folder01');
    spec.folder.uniqueId ??= uniqueOid();
    const previous = spec.folder.previousVersion !== undefined ? slot('PreviousVersion', String(spec.folder.previousVersion)) : '';
    parts.push(
      `<rim:RegistryPackage id="${f}"${spec.folder.lid ? ` lid="${spec.folder.lid}"` : ''}>${name('フォルダ')}` +
        code(u(), 'urn:uuid:1ba97051-7806-41a8-a48b-8fce7af683c5', f, spec.folder.code ?? ['CARE', '1.2.392.999.9']) +
        ei(u(), 'urn:uuid:f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a', f, spec.folder.patientId ?? spec.patientId, 'XDSFolder.patientId') +
        ei(u(), 'urn:uuid:75df8f67-9973-4fbe-a900-df66cefecc5a', f, spec.folder.uniqueId, 'XDSFolder.uniqueId') +
        '</rim:RegistryPackage>',
      `<rim:Classification id="${u()}" classifiedObject="${f}" classificationNode="urn:uuid:d9d542f3-6cc4-48b6-8870-ea235fbc94c2"/>`,
      `<rim:Association id="${u()}" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="${ss}" targetObject="${f}">${previous}</rim:Association>`,
    );
    for (const d of spec.docs) {
      parts.push(`<rim:Association id="FolderMember_${d.id}" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="${f}" targetObject="${d.id}"/>`);
    }
  }
  parts.push(...(spec.associations ?? []));
  return parts.join('');
}

export function submitObjectsRequest(spec: SubmissionSpec, withRepositoryAttributes = true): string {
  return (
    `<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">` +
    `<rim:RegistryObjectList>${submissionObjectsXml(spec, withRepositoryAttributes)}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>`
  );
}

/** ITI-41: the metadata (without repository attributes) and one xdsb:Document per entry, inline or by xop:Include. */
export function provideAndRegisterRequest(spec: SubmissionSpec, mode: 'inline' | 'xop'): string {
  const objects = submissionObjectsXml(spec, false);
  const docs = spec.docs
    .map((d) =>
      mode === 'inline'
        ? `<xdsb:Document id="${d.id}">${(d.content ?? Buffer.from(`document ${d.id}`)).toString('base64')}</xdsb:Document>`
        : `<xdsb:Document id="${d.id}"><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:${encodeURIComponent(`${d.id}@test`)}"/></xdsb:Document>`,
    )
    .join('');
  return (
    `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007" xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">` +
    `<lcm:SubmitObjectsRequest><rim:RegistryObjectList>${objects}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>${docs}</xdsb:ProvideAndRegisterDocumentSetRequest>`
  );
}

/** An UpdateAvailabilityStatus association from the SubmissionSet (ITI-57). */
export function updateStatusXml(target: string, from: 'Approved' | 'Deprecated' | string, to: 'Approved' | 'Deprecated' | string, submissionSet = 'SubmissionSet01'): string {
  const urn = (s: string) => (s.startsWith('urn:') ? s : `urn:oasis:names:tc:ebxml-regrep:StatusType:${s}`);
  return (
    `<rim:Association id="urn:uuid:${randomUUID()}" associationType="urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus" sourceObject="${submissionSet}" targetObject="${target}">` +
    slot('OriginalStatus', urn(from)) +
    slot('NewStatus', urn(to)) +
    '</rim:Association>'
  );
}

/** ITI-62: an lcm:RemoveObjectsRequest naming registry objects by entryUUID. */
export function removeObjectsRequest(uuids: string[]): string {
  return (
    `<lcm:RemoveObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">` +
    `<rim:ObjectRefList>${uuids.map((u) => `<rim:ObjectRef id="${u}"/>`).join('')}</rim:ObjectRefList></lcm:RemoveObjectsRequest>`
  );
}
