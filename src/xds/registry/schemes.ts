/** The UUIDs and names of XDS metadata (ITI TF-3 4.2.5, Table 4.2.5-1 and 4.2.5-2). */
const u = (s: string) => `urn:uuid:${s}`;

export const ObjectTypes = {
  stableDocument: u('7edca82f-054d-47f2-a032-9b2a5b5186c1'),
  onDemandDocument: u('34268e47-fdf5-41a6-ba33-82133c465248'),
  submissionSet: u('a54d6aa5-d40d-43f9-88c5-b4633d873bdd'),
  folder: u('d9d542f3-6cc4-48b6-8870-ea235fbc94c2'),
  registryPackage: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage',
  association: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association',
  classification: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification',
  externalIdentifier: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier',
} as const;

export const DocumentEntrySchemes = {
  author: u('93606bcf-9494-43ec-9b4e-a7748d1a838d'),
  classCode: u('41a5887f-8865-4c09-adf7-e362475b143a'),
  confidentialityCode: u('f4f85eac-e6cb-4883-b524-f2705394840f'),
  eventCodeList: u('2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4'),
  formatCode: u('a09d5840-386c-46f2-b5ad-9c3699a4309d'),
  healthcareFacilityTypeCode: u('f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1'),
  practiceSettingCode: u('cccf5598-8b07-4b77-a05e-ae952c785ead'),
  typeCode: u('f0306f51-975f-434e-a61c-c59651d33983'),
  patientId: u('58a6f841-87b3-4a3e-92fd-a8ffeff98427'),
  uniqueId: u('2e82c1f6-a085-4c72-9da3-8640a32e42ab'),
  limitedMetadata: u('ab9b591b-83ab-4d03-8f5d-f93b1fb92e85'),
} as const;

export const SubmissionSetSchemes = {
  author: u('a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d'),
  contentTypeCode: u('aa543740-bdda-424e-8c96-df4873be8500'),
  patientId: u('6b5aea1a-874d-4603-a4bc-96a0a7b38446'),
  sourceId: u('554ac39e-e3fe-47fe-b233-965d2a147832'),
  uniqueId: u('96fdda7c-d067-4183-912e-bf5ee74998a8'),
  limitedMetadata: u('5003a9db-8d8d-49e6-bf0c-990e34ac7707'),
} as const;

export const FolderSchemes = {
  codeList: u('1ba97051-7806-41a8-a48b-8fce7af683c5'),
  patientId: u('f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a'),
  uniqueId: u('75df8f67-9973-4fbe-a900-df66cefecc5a'),
  limitedMetadata: u('2c144a76-29a9-4b7c-af54-b25409fe7d03'),
} as const;

export const AssociationTypes = {
  hasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  rplc: 'urn:ihe:iti:2007:AssociationType:RPLC',
  xfrm: 'urn:ihe:iti:2007:AssociationType:XFRM',
  apnd: 'urn:ihe:iti:2007:AssociationType:APND',
  xfrmRplc: 'urn:ihe:iti:2007:AssociationType:XFRM_RPLC',
  signs: 'urn:ihe:iti:2007:AssociationType:signs',
  isSnapshotOf: 'urn:ihe:iti:2010:AssociationType:IsSnapshotOf',
  updateAvailabilityStatus: 'urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus',
  submitAssociation: 'urn:ihe:iti:2010:AssociationType:SubmitAssociation',
} as const;

/** Document relationships (ITI TF-3 4.2.2.2): the associations from a new document to a prior one. */
export const DOCUMENT_RELATIONSHIPS: readonly string[] = [
  AssociationTypes.rplc,
  AssociationTypes.xfrm,
  AssociationTypes.apnd,
  AssociationTypes.xfrmRplc,
  AssociationTypes.signs,
  AssociationTypes.isSnapshotOf,
];

export const REPLACING: readonly string[] = [AssociationTypes.rplc, AssociationTypes.xfrmRplc];

export const Status = {
  approved: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
  deprecated: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated',
  submitted: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Submitted',
} as const;

/** DocumentEntry slots ITI TF-3 Table 4.3.1-3 defines; any other is extra metadata. */
export const DOCUMENT_ENTRY_SLOTS = new Set([
  'creationTime',
  'hash',
  'languageCode',
  'legalAuthenticator',
  'repositoryUniqueId',
  'serviceStartTime',
  'serviceStopTime',
  'size',
  'sourcePatientId',
  'sourcePatientInfo',
  'URI',
  'documentAvailability',
  'referenceIdList',
  'objectType',
]);

export const SUBMISSION_SET_SLOTS = new Set(['submissionTime', 'intendedRecipient']);
export const FOLDER_SLOTS = new Set(['lastUpdateTime']);
