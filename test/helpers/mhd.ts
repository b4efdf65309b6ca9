/**
 * MHD Provide Document Bundle [ITI-65] requests for tests: a transaction Bundle with Comprehensive
 * Metadata (IHE.MHD.Comprehensive.ProvideBundle): a SubmissionSet List, DocumentReferences with
 * contained author and sourcePatientInfo, their Binaries, and optionally a Folder List.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, DocumentReference, List } from 'fhir/r4.js';
import { uniqueOid } from './xdsMetadata.ts';

export interface MhdDocSpec {
  content?: Buffer;
  contentType?: string;
  uniqueId?: string;
  classCode?: [string, string];
  typeCode?: [string, string];
  confidentiality?: [string, string];
  hash?: string;
  size?: number;
  creation?: string;
  period?: { start?: string; end?: string };
  authorFamily?: string;
  related?: { system: string; value: string }[];
  /** entryUUID of a DocumentReference this one replaces. */
  replaces?: string;
}

export interface MhdBundleSpec {
  /** The patient in the affinity domain: its id (the Patient's logical id on the server). */
  patient: string;
  docs: MhdDocSpec[];
  folder?: boolean;
  submissionSetUniqueId?: string;
  sourceId?: string;
}

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const RFC3986 = 'urn:ietf:rfc:3986';
const SD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition';
const LIST_TYPES = 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes';
const IDTYPE = 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDIdentifierType';

export const sha1Base64 = (b: Buffer) => createHash('sha1').update(b).digest('base64');
const system = (s: string) => (/^\d+(\.\d+)+$/.test(s) ? (s === '2.16.840.1.113883.6.1' ? LOINC : `urn:oid:${s}`) : s);

/** The Bundle, with the fullUrls of its entries (the order: SubmissionSet, then each DocumentReference and Binary, then the Folder). */
export function provideBundle(spec: MhdBundleSpec, patientRef = `Patient/${spec.patient}`): Bundle {
  const u = () => `urn:uuid:${randomUUID()}`;
  const ss = u();
  const docUrls = spec.docs.map(() => u());
  const binUrls = spec.docs.map(() => u());
  const folderUrl = u();
  spec.submissionSetUniqueId ??= uniqueOid();
  const entries: BundleEntry[] = [];
  const list: List = {
    resourceType: 'List',
    meta: { profile: [`${SD}/IHE.MHD.Comprehensive.SubmissionSet`] },
    contained: [{ resourceType: 'Practitioner', id: 'a1', name: [{ family: '山田', given: ['花子'] }] }] as unknown as List['contained'],
    extension: [
      { url: `${SD}/ihe-sourceId`, valueIdentifier: { system: RFC3986, value: `urn:oid:${spec.sourceId ?? '1.2.392.999.1'}` } },
      { url: `${SD}/ihe-designationType`, valueCodeableConcept: { coding: [{ system: LOINC, code: '18748-4', display: 'Diagnostic imaging study' }] } },
    ],
    identifier: [{ use: 'usual', type: { coding: [{ system: IDTYPE, code: 'uniqueId' }] }, system: RFC3986, value: `urn:oid:${spec.submissionSetUniqueId}` }],
    status: 'current',
    mode: 'working',
    title: '紹介状',
    code: { coding: [{ system: LIST_TYPES, code: 'submissionset' }] },
    subject: { reference: patientRef },
    date: '2024-06-01T09:00:00+09:00',
    source: { reference: '#a1' },
    entry: [...docUrls.map((r) => ({ item: { reference: r } })), ...(spec.folder ? [{ item: { reference: folderUrl } }] : [])],
  };
  entries.push({ fullUrl: ss, resource: list, request: { method: 'POST', url: 'List' } });
  spec.docs.forEach((d, i) => {
    const content = (d.content ??= Buffer.from(`document ${i + 1} of ${spec.patient}`));
    d.uniqueId ??= uniqueOid();
    const [cls, clsSys] = d.classCode ?? ['11488-4', '2.16.840.1.113883.6.1'];
    const [typ, typSys] = d.typeCode ?? ['57133-1', '2.16.840.1.113883.6.1'];
    const [conf, confSys] = d.confidentiality ?? ['N', 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality'];
    const dr: DocumentReference = {
      resourceType: 'DocumentReference',
      meta: { profile: [`${SD}/IHE.MHD.Comprehensive.DocumentReference`] },
      contained: [
        { resourceType: 'Practitioner', id: 'author', name: [{ family: d.authorFamily ?? '山田', given: ['花子'] }] },
        { resourceType: 'Organization', id: 'org', name: '東京病院', identifier: [{ system: RFC3986, value: 'urn:oid:1.2.392.999.1' }] },
        { resourceType: 'PractitionerRole', id: 'role', practitioner: { reference: '#author' }, organization: { reference: '#org' } },
        { resourceType: 'Patient', id: 'sp', identifier: [{ system: 'urn:oid:1.2.392.999.1', value: 'L001' }], name: [{ family: '山田', given: ['太郎'] }], birthDate: '1970-01-01', gender: 'male' },
      ] as unknown as DocumentReference['contained'],
      masterIdentifier: { system: RFC3986, value: `urn:oid:${d.uniqueId}` },
      status: 'current',
      type: { coding: [{ system: system(typSys), code: typ }] },
      category: [{ coding: [{ system: system(clsSys), code: cls }] }],
      subject: { reference: patientRef },
      author: [{ reference: '#role' }],
      ...(d.replaces ? { relatesTo: [{ code: 'replaces', target: { reference: `DocumentReference/${d.replaces.replace(/^urn:uuid:/, '')}` } }] } : {}),
      securityLabel: [{ coding: [{ system: system(confSys), code: conf }] }],
      content: [
        {
          attachment: {
            contentType: d.contentType ?? 'text/plain',
            language: 'ja-JP',
            url: binUrls[i],
            size: d.size ?? content.length,
            hash: d.hash ?? sha1Base64(content),
            title: `文書 ${i + 1}`,
            creation: d.creation ?? '2024-06-01T08:30:00+09:00',
          },
          format: { system: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode', code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' },
        },
      ],
      context: {
        ...(d.period ? { period: d.period } : {}),
        facilityType: { coding: [{ system: SNOMED, code: '22232009' }] },
        practiceSetting: { coding: [{ system: SNOMED, code: '394802001' }] },
        sourcePatientInfo: { reference: '#sp' },
        ...(d.related ? { related: d.related.map((r) => ({ identifier: r })) } : {}),
      },
    };
    entries.push({ fullUrl: docUrls[i], resource: dr, request: { method: 'POST', url: 'DocumentReference' } });
    entries.push({ fullUrl: binUrls[i], resource: { resourceType: 'Binary', contentType: d.contentType ?? 'text/plain', data: content.toString('base64') } as BundleEntry['resource'], request: { method: 'POST', url: 'Binary' } });
  });
  if (spec.folder) {
    const folder: List = {
      resourceType: 'List',
      extension: [{ url: `${SD}/ihe-designationType`, valueCodeableConcept: { coding: [{ system: 'urn:oid:1.2.392.999.9', code: 'CARE' }] } }],
      identifier: [{ use: 'usual', type: { coding: [{ system: IDTYPE, code: 'uniqueId' }] }, system: RFC3986, value: `urn:oid:${uniqueOid()}` }],
      status: 'current',
      mode: 'working',
      title: 'フォルダ',
      code: { coding: [{ system: LIST_TYPES, code: 'folder' }] },
      subject: { reference: patientRef },
      entry: docUrls.map((r) => ({ item: { reference: r } })),
    };
    entries.push({ fullUrl: folderUrl, resource: folder, request: { method: 'POST', url: 'List' } });
  }
  return { resourceType: 'Bundle', meta: { profile: [`${SD}/IHE.MHD.Comprehensive.ProvideBundle`] }, type: 'transaction', entry: entries };
}
