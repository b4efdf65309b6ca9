/**
 * The content model of the DICOM audit message schema (DICOM PS3.15 A.5.1, as dicom2017c.xsd states
 * it): for each element, its attributes with their types and whether they are required, and either its
 * children in order with their occurrences, empty content, or simple content of a type.
 */
import type { SimpleType } from './xsdTypes.ts';

export interface AttributeDecl {
  type: SimpleType;
  required?: boolean;
}

/** One step of a sequence: any of `names` (one name, or an xs:choice), between min and max times. */
export interface Particle {
  names: readonly string[];
  min: number;
  max: number;
}

export type Content = { kind: 'elements'; particles: readonly Particle[] } | { kind: 'empty' } | { kind: 'simple'; type: SimpleType };

export interface ElementDecl {
  attributes: Readonly<Record<string, AttributeDecl>>;
  content: Content;
}

const token: SimpleType = { kind: 'token' };
const any: SimpleType = { kind: 'any' };
const enumOf = (...values: string[]): SimpleType => ({ kind: 'enum', values });
const range = (from: number, to: number) => enumOf(...Array.from({ length: to - from + 1 }, (_, i) => String(from + i)));

const one = (name: string): Particle => ({ names: [name], min: 1, max: 1 });
const optional = (...names: string[]): Particle => ({ names, min: 0, max: 1 });
const many = (name: string, min = 0): Particle => ({ names: [name], min, max: Infinity });

const elements = (...particles: Particle[]): Content => ({ kind: 'elements', particles });
const EMPTY: Content = { kind: 'empty' };

/** CodedValueType: csd-code, codeSystemName, displayName, originalText. */
const coded: ElementDecl = {
  attributes: {
    'csd-code': { type: token, required: true },
    codeSystemName: { type: token, required: true },
    displayName: { type: token },
    originalText: { type: token, required: true },
  },
  content: EMPTY,
};

export const AUDIT_SCHEMA: Readonly<Record<string, ElementDecl>> = {
  AuditMessage: {
    attributes: {},
    content: elements(one('EventIdentification'), many('ActiveParticipant', 1), one('AuditSourceIdentification'), many('ParticipantObjectIdentification')),
  },
  EventIdentification: {
    attributes: {
      EventActionCode: { type: enumOf('C', 'R', 'U', 'D', 'E') },
      EventDateTime: { type: { kind: 'dateTime' }, required: true },
      EventOutcomeIndicator: { type: enumOf('0', '4', '8', '12'), required: true },
    },
    content: elements(one('EventID'), many('EventTypeCode'), optional('EventOutcomeDescription'), many('PurposeOfUse')),
  },
  EventID: coded,
  EventTypeCode: coded,
  PurposeOfUse: coded,
  EventOutcomeDescription: { attributes: {}, content: { kind: 'simple', type: { kind: 'string' } } },
  AuditSourceIdentification: {
    attributes: { AuditEnterpriseSiteID: { type: token }, AuditSourceID: { type: token, required: true } },
    content: elements(many('AuditSourceTypeCode')),
  },
  // csd-code is a union of the digits 1-9 and any token: any value; the other attributes are optional.
  AuditSourceTypeCode: {
    attributes: {
      'csd-code': { type: token, required: true },
      codeSystemName: { type: token },
      displayName: { type: token },
      originalText: { type: token },
    },
    content: EMPTY,
  },
  ActiveParticipant: {
    attributes: {
      UserID: { type: any, required: true },
      AlternativeUserID: { type: any },
      UserName: { type: any },
      UserIsRequestor: { type: { kind: 'boolean' }, required: true },
      NetworkAccessPointID: { type: token },
      NetworkAccessPointTypeCode: { type: range(1, 5) },
    },
    content: elements(many('RoleIDCode'), optional('MediaIdentifier')),
  },
  RoleIDCode: coded,
  MediaIdentifier: { attributes: {}, content: elements(one('MediaType')) },
  MediaType: coded,
  ParticipantObjectIdentification: {
    attributes: {
      ParticipantObjectID: { type: token },
      ParticipantObjectTypeCode: { type: range(1, 4) },
      ParticipantObjectTypeCodeRole: { type: range(1, 26) },
      ParticipantObjectDataLifeCycle: { type: range(1, 15) },
      ParticipantObjectSensitivity: { type: token },
    },
    content: elements(
      one('ParticipantObjectIDTypeCode'),
      optional('ParticipantObjectName', 'ParticipantObjectQuery'),
      many('ParticipantObjectDetail'),
      many('ParticipantObjectDescription'),
    ),
  },
  ParticipantObjectIDTypeCode: coded,
  ParticipantObjectName: { attributes: {}, content: { kind: 'simple', type: token } },
  ParticipantObjectQuery: { attributes: {}, content: { kind: 'simple', type: { kind: 'base64Binary' } } },
  ParticipantObjectDetail: {
    attributes: { type: { type: token, required: true }, value: { type: { kind: 'base64Binary' }, required: true } },
    content: EMPTY,
  },
  ParticipantObjectDescription: {
    attributes: {},
    content: elements(many('MPPS'), many('Accession'), many('SOPClass'), optional('ParticipantObjectContainsStudy'), optional('Encrypted'), optional('Anonymized')),
  },
  MPPS: { attributes: { UID: { type: token, required: true } }, content: EMPTY },
  Accession: { attributes: { Number: { type: token, required: true } }, content: EMPTY },
  SOPClass: {
    attributes: { UID: { type: token }, NumberOfInstances: { type: { kind: 'integer' }, required: true } },
    content: elements(many('Instance')),
  },
  Instance: { attributes: { UID: { type: token, required: true } }, content: EMPTY },
  ParticipantObjectContainsStudy: { attributes: {}, content: elements(many('StudyIDs')) },
  StudyIDs: { attributes: { UID: { type: token, required: true } }, content: EMPTY },
  Encrypted: { attributes: {}, content: { kind: 'simple', type: { kind: 'boolean' } } },
  Anonymized: { attributes: {}, content: { kind: 'simple', type: { kind: 'boolean' } } },
};
