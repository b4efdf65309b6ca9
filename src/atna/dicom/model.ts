/**
 * A DICOM audit message as read from XML (DICOM PS3.15 A.5.1), kept whole for the FHIR mapping and
 * the access report. Lenient on purpose: a message that fails validation is still read as far as it
 * goes, and RFC 3881-style coded values (code/displayName attributes) are read into the same fields.
 */
export interface ReadCode {
  code: string;
  codeSystemName: string;
  originalText: string;
  displayName: string;
}

export interface ReadParticipant {
  userId: string;
  altUserId: string;
  userName: string;
  /** As written (xs:boolean: true, false, 1, 0). */
  requestor: string;
  networkAccessPointId: string;
  networkAccessPointTypeCode: string;
  roles: ReadCode[];
  media?: ReadCode;
}

export interface ReadDescription {
  mpps: string[];
  accessions: string[];
  sopClasses: { uid: string; numberOfInstances: string; instances: string[] }[];
  studies: string[];
  encrypted?: string;
  anonymized?: string;
}

export interface ReadObject {
  id: string;
  typeCode: string;
  typeCodeRole: string;
  dataLifeCycle: string;
  sensitivity: string;
  idTypeCode?: ReadCode;
  name?: string;
  /** Base64, as written. */
  query?: string;
  details: { type: string; value: string }[];
  descriptions: ReadDescription[];
}

export interface ReadAuditMessage {
  actionCode: string;
  dateTime: string;
  outcome: string;
  eventId?: ReadCode;
  eventTypes: ReadCode[];
  outcomeDescription?: string;
  purposeOfUse: ReadCode[];
  participants: ReadParticipant[];
  source: { id: string; enterpriseSiteId: string; types: ReadCode[] };
  objects: ReadObject[];
}

export const emptyCode = (): ReadCode => ({ code: '', codeSystemName: '', originalText: '', displayName: '' });
