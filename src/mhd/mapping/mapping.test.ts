import { expect } from 'chai';
import type { DocumentReference, List } from 'fhir/r4.js';
import { decodeRegistryObjectList, registryObjectListOf } from '../../ebxml/decode.ts';
import { slotValue, slotValues, type ExtrinsicObject, type RegistryPackage } from '../../ebxml/rim.ts';
import { FhirSchemaValidator } from '../../fhir/schemaValidator.ts';
import { parseXml } from '../../xml/parse.ts';
import { documentIndex, externalId, folderIndex, partition, submissionSetIndex } from '../../xds/registry/metadata.ts';
import { AssociationTypes, DocumentEntrySchemes, Status } from '../../xds/registry/schemes.ts';
import { provideBundle } from '../../../test/helpers/mhd.ts';
import { submitObjectsRequest } from '../../../test/helpers/xdsMetadata.ts';
import { documentEntryOf, documentReferenceOf } from './documentEntry.ts';
import { listOf, packageOf } from './lists.ts';
import { PatientReferences } from './patientReference.ts';
import { cxOfIdentifier, dtmOfFhir, escapeHl7, fhirOfDtm, identifierOfCx, identifierOfUniqueId, schemeOfSystem, systemOfScheme, uniqueIdOfIdentifier, unescapeHl7 } from './values.ts';

const AFFINITY = '1.3.6.1.4.1.21367.2005.3.7';
const patients = new PatientReferences(AFFINITY);
const schema = new FhirSchemaValidator();
const PID = `P-1^^^&${AFFINITY}&ISO`;

function registered(folder = true) {
  const objects = decodeRegistryObjectList(registryObjectListOf(parseXml(submitObjectsRequest({ patientId: PID, docs: [{ eventCodes: [['E1', '1.2.3']], serviceStartTime: '20240101', referenceIds: ['ORD-1^^^&1.2.392.7&ISO^urn:ihe:iti:xds:2013:order', 'ENC-9^^^&1.2.392.8&ISO^urn:ihe:iti:xds:2015:encounterId'] }], folder: folder ? {} : false })))!);
  const sub = partition(objects);
  const doc = sub.documents[0];
  doc.id = 'urn:uuid:8d3c0e2a-4a55-4e0e-9b0e-1f2a3b4c5d6e';
  doc.status = Status.approved;
  return { doc, set: Object.assign(sub.submissionSets[0], { id: 'urn:uuid:1d3c0e2a-4a55-4e0e-9b0e-1f2a3b4c5d6e', status: Status.approved }), folder: sub.folders[0] && Object.assign(sub.folders[0], { id: 'urn:uuid:2d3c0e2a-4a55-4e0e-9b0e-1f2a3b4c5d6e', status: Status.deprecated }) };
}

describe('MHD mapping: values', () => {
  it('writes XDS DTM as FHIR dates at their precision and reads FHIR dateTimes back in UTC', () => {
    expect(fhirOfDtm('2024')).to.equal('2024');
    expect(fhirOfDtm('20240102')).to.equal('2024-01-02');
    expect(fhirOfDtm('2024010203')).to.equal('2024-01-02T03:00:00Z');
    expect(fhirOfDtm('20240102030405')).to.equal('2024-01-02T03:04:05Z');
    expect(fhirOfDtm('2024-01')).to.equal(undefined);
    expect(dtmOfFhir('2024-06-01T09:00:00+09:00')).to.equal('20240601000000');
    expect(dtmOfFhir('2024-06')).to.equal('202406');
    expect(dtmOfFhir('2024-06-01T09:00:00')).to.equal(undefined);
    expect(dtmOfFhir('yesterday')).to.equal(undefined);
  });

  it('writes uniqueIds as MHD identifiers (OIDs and UUIDs as RFC 3986 URIs, root^extension) and reads them back', () => {
    for (const uid of ['1.2.392.100.5', '1.2.392.100.5^A-17', 'urn:txt:abc', '4e0b1c59-7b2c-4c4c-9f8e-3a2b1c0d9e8f']) {
      expect(uniqueIdOfIdentifier(identifierOfUniqueId(uid)), uid).to.equal(uid.includes('-7b2c-') ? `urn:uuid:${uid}` : uid);
    }
    expect(identifierOfUniqueId('1.2.3')).to.deep.equal({ system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.3' });
    expect(identifierOfUniqueId('1.2.3^X')).to.deep.equal({ system: 'urn:oid:1.2.3', value: 'X' });
  });

  it('maps coding schemes to FHIR systems and back; CX to Identifier and back; escapes HL7 delimiters', () => {
    for (const [scheme, system] of [
      ['2.16.840.1.113883.6.1', 'http://loinc.org'],
      ['1.2.392.999.9', 'urn:oid:1.2.392.999.9'],
      ['Connect-a-thon classCodes', 'Connect-a-thon%20classCodes'],
      ['http://example.org/cs', 'http://example.org/cs'],
    ]) {
      expect(systemOfScheme(scheme)).to.equal(system);
      expect(schemeOfSystem(system)).to.equal(scheme);
    }
    expect(identifierOfCx('L1^^^&1.2.3&ISO')).to.deep.equal({ system: 'urn:oid:1.2.3', value: 'L1' });
    expect(cxOfIdentifier({ system: 'urn:oid:1.2.3', value: 'L1' })).to.equal('L1^^^&1.2.3&ISO');
    expect(cxOfIdentifier(identifierOfCx('L1^^^HOSP_A'))).to.equal('L1^^^HOSP_A');
    expect(unescapeHl7(escapeHl7('a^b&c|d~e\\f'))).to.equal('a^b&c|d~e\\f');
    expect(escapeHl7('a^b')).to.equal('a\\S\\b');
  });
});

describe('MHD mapping: DocumentEntry <-> DocumentReference', () => {
  it('writes a registered DocumentEntry as a DocumentReference of the MHD mapping, valid FHIR R4', () => {
    const { doc } = registered();
    const dr = documentReferenceOf(doc, { patients, documentUrl: (u) => `http://h/fhir/Binary/${u.slice(9)}`, relatesTo: [{ associationType: AssociationTypes.rplc, targetUuid: 'urn:uuid:00000000-0000-4000-8000-000000000001' }] });
    expect(schema.validate(dr, 'DocumentReference')).to.deep.equal([]);
    const uid = externalId(doc, DocumentEntrySchemes.uniqueId)!;
    expect(dr.id).to.equal('8d3c0e2a-4a55-4e0e-9b0e-1f2a3b4c5d6e');
    expect(dr.masterIdentifier).to.deep.equal({ system: 'urn:ietf:rfc:3986', value: `urn:oid:${uid}` });
    expect(dr.identifier!.map((i) => [i.type!.coding![0].code, i.value])).to.deep.equal([
      ['entryUUID', doc.id],
      ['uniqueId', `urn:oid:${uid}`],
    ]);
    expect(dr.status).to.equal('current');
    expect(dr.subject).to.deep.equal({ reference: 'Patient/P-1', identifier: { system: `urn:oid:${AFFINITY}`, value: 'P-1' } });
    expect(dr.category![0].coding![0]).to.deep.include({ system: 'http://loinc.org', code: '11488-4' });
    expect(dr.type!.coding![0]).to.deep.include({ system: 'http://loinc.org', code: '57133-1' });
    expect(dr.securityLabel![0].coding![0]).to.deep.include({ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' });
    expect(dr.context!.event![0].coding![0]).to.deep.include({ system: 'urn:oid:1.2.3', code: 'E1' });
    expect(dr.context!.facilityType!.coding![0]).to.deep.include({ system: 'http://snomed.info/sct', code: '22232009' });
    expect(dr.context!.period).to.deep.equal({ start: '2024-01-01' });
    expect(dr.context!.related).to.deep.equal([{ identifier: { type: { coding: [{ system: 'urn:ietf:rfc:3986', code: 'urn:ihe:iti:xds:2013:order' }] }, system: 'urn:oid:1.2.392.7', value: 'ORD-1' } }]);
    expect(dr.context!.encounter![0].identifier).to.deep.include({ system: 'urn:oid:1.2.392.8', value: 'ENC-9' });
    const att = dr.content[0].attachment;
    expect(att).to.deep.include({ contentType: 'text/plain', language: 'ja-JP', url: 'http://h/fhir/Binary/8d3c0e2a-4a55-4e0e-9b0e-1f2a3b4c5d6e', creation: '2024-01-01T12:00:00Z', title: '診療情報提供書' });
    expect(Buffer.from(att.hash!, 'base64').toString('hex')).to.equal(slotValue(doc, 'hash'));
    expect(att.size).to.equal(Number(slotValue(doc, 'size')));
    expect(dr.content[0].format).to.deep.include({ system: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode', code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' });
    // Contained author (a PractitionerRole with its Practitioner and Organization) and source patient.
    const role = dr.contained!.find((c) => `#${c.id}` === dr.author![0].reference) as any;
    expect(role.resourceType).to.equal('PractitionerRole');
    expect(dr.contained!.find((c) => `#${c.id}` === role.practitioner.reference)).to.deep.include({ resourceType: 'Practitioner', name: [{ family: '山田', given: ['花子'] }] });
    expect(dr.contained!.find((c) => `#${c.id}` === role.organization.reference)).to.deep.include({ resourceType: 'Organization', name: '東京病院', identifier: [{ system: 'urn:oid:1.2.392.999.1', value: '1.2.392.999.1' }] });
    const sp = dr.contained!.find((c) => `#${c.id}` === dr.context!.sourcePatientInfo!.reference) as any;
    expect(sp).to.deep.include({ resourceType: 'Patient', birthDate: '1970-01-01', gender: 'male', identifier: [{ system: 'urn:oid:1.2.392.999.1', value: 'L001' }], name: [{ family: '山田', given: ['太郎'] }] });
    expect(dr.relatesTo).to.deep.equal([{ code: 'replaces', target: { reference: 'DocumentReference/00000000-0000-4000-8000-000000000001' } }]);
    expect(documentReferenceOf({ ...doc, status: Status.deprecated }, { patients, documentUrl: () => 'x' }).status).to.equal('superseded');
  });

  it('reads the DocumentReference back into the same DocumentEntry attributes', () => {
    const { doc } = registered();
    const dr = documentReferenceOf(doc, { patients, documentUrl: () => 'http://h/x' });
    const { entry, issues } = documentEntryOf(dr, { id: doc.id, patientId: PID, path: 'DocumentReference' });
    expect(issues).to.deep.equal([]);
    const before = documentIndex(doc);
    const after = documentIndex(entry);
    const sortCodes = (x: typeof before) => x.codes.map((c) => `${c.attr}:${c.code}`).sort();
    expect(sortCodes(after)).to.deep.equal(sortCodes(before));
    for (const k of ['patientId', 'uniqueId', 'creationTime', 'serviceStartTime', 'hash', 'size', 'mimeType', 'objectType'] as const) expect(after[k], k).to.deep.equal(before[k]);
    const xcn = (a: string[]) => a.map((x) => x.replace(/\^+$/, ''));
    expect(xcn(after.authors)).to.deep.equal(xcn(before.authors));
    expect(after.referenceIds.sort()).to.deep.equal(before.referenceIds.sort());
    for (const s of ['languageCode', 'sourcePatientId']) expect(slotValue(entry, s), s).to.equal(slotValue(doc, s));
    expect(slotValues(entry, 'sourcePatientInfo')).to.deep.equal(['PID-3|L001^^^&1.2.392.999.1&ISO', 'PID-5|山田^太郎', 'PID-7|19700101', 'PID-8|M']);
    const inst = (o: ExtrinsicObject) => o.classifications.filter((c) => c.classificationScheme === DocumentEntrySchemes.author).flatMap((c) => slotValues(c, 'authorInstitution') ?? []);
    expect(inst(entry)).to.deep.equal(inst(doc));
    expect(entry.name[0].value).to.equal(doc.name[0].value);
  });

  it('reads the DocumentReferences of a Comprehensive ITI-65 Bundle; what has no XDS form is an issue at its element', () => {
    const bundle = provideBundle({ patient: 'P-1', docs: [{}] });
    const dr = bundle.entry![1].resource as DocumentReference;
    const { entry, issues } = documentEntryOf(dr, { id: 'urn:uuid:9d3c0e2a-4a55-4e0e-9b0e-1f2a3b4c5d6e', patientId: PID, path: 'Bundle.entry[1].resource' });
    expect(issues).to.deep.equal([]);
    expect(slotValue(entry, 'creationTime')).to.equal('20240531233000');
    expect(slotValue(entry, 'sourcePatientId')).to.equal('L001^^^&1.2.392.999.1&ISO');
    expect(entry.classifications.find((c) => c.classificationScheme === DocumentEntrySchemes.author)!.slots).to.deep.equal([
      { name: 'authorPerson', values: ['^山田^花子'] },
      { name: 'authorInstitution', values: ['東京病院^^^^^^^^^1.2.392.999.1'] },
    ]);
    const bad: DocumentReference = { ...dr, masterIdentifier: undefined, author: [{ reference: 'Practitioner/7' }], content: [{ ...dr.content[0], attachment: { ...dr.content[0].attachment, hash: 'abc', creation: '2024-06-01T09:00' } }] };
    const found = documentEntryOf(bad, { id: 'x', patientId: PID, path: 'Bundle.entry[1].resource' }).issues.map((i) => i.expression);
    expect(found).to.have.members([
      'Bundle.entry[1].resource.masterIdentifier',
      'Bundle.entry[1].resource.author[0]',
      'Bundle.entry[1].resource.content[0].attachment.hash',
      'Bundle.entry[1].resource.content[0].attachment.creation',
    ]);
  });
});

describe('MHD mapping: SubmissionSet and Folder <-> List', () => {
  it('writes the packages as Lists (code, identifiers, extensions, members) and reads them back', () => {
    const { set, folder, doc } = registered();
    const ssList = listOf(set, 'submissionset', { patients, members: [{ uuid: doc.id, kind: 'DocumentEntry' }, { uuid: folder.id, kind: 'Folder' }] });
    const fList = listOf(folder, 'folder', { patients, members: [{ uuid: doc.id, kind: 'DocumentEntry' }] });
    for (const l of [ssList, fList]) expect(schema.validate(l, 'List')).to.deep.equal([]);
    expect(ssList).to.deep.include({ status: 'current', mode: 'working', date: '2024-01-01T12:00:00Z', title: '紹介状' });
    expect(ssList.code!.coding![0].code).to.equal('submissionset');
    expect(ssList.entry!.map((e) => e.item.reference)).to.deep.equal([`DocumentReference/${doc.id.slice(9)}`, `List/${folder.id.slice(9)}`]);
    expect(ssList.extension!.map((e) => e.url.split('/').pop())).to.deep.equal(['ihe-sourceId', 'ihe-designationType']);
    expect(ssList.contained![0]).to.deep.include({ resourceType: 'Practitioner', name: [{ family: '山田', given: ['花子'] }] });
    expect(fList).to.deep.include({ status: 'retired', title: 'フォルダ' });
    expect(fList.code!.coding![0].code).to.equal('folder');

    const back = (l: List, kind: 'submissionset' | 'folder', p: RegistryPackage) => {
      const r = packageOf({ ...l, status: 'current' }, kind, { id: p.id, patientId: PID, path: 'List' });
      expect(r.issues).to.deep.equal([]);
      return r.pkg;
    };
    const ss2 = back(ssList, 'submissionset', set);
    const strip = (x: ReturnType<typeof submissionSetIndex>) => ({ ...x, codes: x.codes.map((c) => `${c.attr}:${c.code}`), authors: x.authors.map((a) => a.replace(/\^+$/, '')) });
    expect(strip(submissionSetIndex(ss2))).to.deep.equal(strip(submissionSetIndex(set)));
    const f2 = back(fList, 'folder', folder);
    expect({ ...folderIndex(f2), lastUpdateTime: undefined }).to.deep.equal({ ...folderIndex(folder), lastUpdateTime: undefined });
  });

  it('maps intendedRecipient (XON|XCN) to contained recipients and back', () => {
    const { set } = registered(false);
    set.slots.push({ name: 'intendedRecipient', values: ['東京病院^^^^^^^^^1.2.392.999.1', '|^佐藤^一郎'] });
    const l = listOf(set, 'submissionset', { patients, members: [] });
    expect(schema.validate(l, 'List')).to.deep.equal([]);
    expect(l.extension!.filter((e) => e.url.endsWith('ihe-intendedRecipient'))).to.have.length(2);
    const back = packageOf(l, 'submissionset', { id: set.id, patientId: PID, path: 'L' });
    expect(back.issues).to.deep.equal([]);
    expect(slotValues(back.pkg, 'intendedRecipient')).to.deep.equal(['東京病院^^^^^^^^^1.2.392.999.1', '|^佐藤^一郎']);
  });

  it('names what a SubmissionSet List lacks', () => {
    const l = provideBundle({ patient: 'P-1', docs: [] }).entry![0].resource as List;
    expect(packageOf(l, 'submissionset', { id: 'urn:uuid:x', patientId: PID, path: 'L' }).issues).to.deep.equal([]);
    const bare: List = { ...l, extension: [], identifier: [], date: undefined, source: { reference: 'Practitioner/1' } };
    expect(packageOf(bare, 'submissionset', { id: 'urn:uuid:x', patientId: PID, path: 'L' }).issues.map((i) => i.expression)).to.have.members(['L.identifier', 'L.extension', 'L.date', 'L.source']);
  });
});
