import { expect } from 'chai';
import type { RegistryObject } from '../ebxml/rim.ts';
import { decodeBody, encodeBody } from './registryBody.ts';

const DOC = 'urn:uuid:0618436d-45e7-4f4f-8ded-a2da9f97ca74';
const nested = (id: string, fields: object) => ({ id, slots: [], name: [], description: [], classifications: [], externalIdentifiers: [], ...fields });

/** A DocumentEntry as the SS-MIX2 ingest registers it (shortened): classifications and identifiers nested. */
function documentEntry(): RegistryObject {
  return {
    id: DOC,
    slots: [{ name: 'creationTime', values: ['20240710011403'] }, { name: 'sourcePatientInfo', values: ['PID-5|井上^由美^^^^^L^I~イノウエ^ユミ^^^^^L^P'] }],
    name: [{ value: '退院実施', lang: 'ja' }],
    description: [],
    classifications: [
      nested('urn:uuid:b8bdb459-e218-421f-aa22-3effba2d8608', { slots: [{ name: 'authorInstitution', values: ['HOSP01^^^^^^^^^2.999.392.100.1'] }], type: 'Classification', classificationScheme: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d', classifiedObject: DOC, nodeRepresentation: '' }),
      nested('urn:uuid:5c697009-6236-4114-b0db-0c4042cdd842', { slots: [{ name: 'codingScheme', values: ['2.999.392.1.20.1'] }], name: [{ value: '受診・入退院歴', lang: 'ja' }], type: 'Classification', classificationScheme: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a', classifiedObject: DOC, nodeRepresentation: 'encounter' }),
      // Nested, yet classifying another object: kept as it is.
      nested('urn:uuid:8ae00ec9-7a28-4d63-ad7d-283515ae5179', { type: 'Classification', classificationScheme: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f', classifiedObject: 'urn:uuid:00000000-0000-4000-8000-000000000001', nodeRepresentation: 'N' }),
      // With a classification of its own, which classifies it.
      nested('urn:uuid:5d17134f-851f-4c5d-8a6c-f6b336e28237', {
        type: 'Classification',
        classificationScheme: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
        classifiedObject: DOC,
        nodeRepresentation: 'X',
        classifications: [nested('urn:uuid:5d17134f-851f-4c5d-8a6c-f6b336e28238', { type: 'Classification', classificationNode: 'urn:uuid:aa', classifiedObject: 'urn:uuid:5d17134f-851f-4c5d-8a6c-f6b336e28237' })],
      }),
    ],
    externalIdentifiers: [
      nested('urn:uuid:f190d226-ba68-4cf7-b410-cd54cc7d235e', { name: [{ value: 'XDSDocumentEntry.patientId' }], type: 'ExternalIdentifier', identificationScheme: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427', registryObject: DOC, value: 'R0000000032^^^&2.999.392.1.2&ISO' }),
      nested('urn:uuid:ac9fb819-ee03-4344-8691-b9769ebd9ee2', { name: [{ value: 'XDSDocumentEntry.uniqueId' }], type: 'ExternalIdentifier', identificationScheme: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab', registryObject: DOC, value: '2.999.392.1.20.5.1.1248496195056322802856329530554381750' }),
    ],
    type: 'ExtrinsicObject',
    objectType: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
    mimeType: 'x-application/hl7-v2+er7',
    status: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
    lid: DOC,
    versionName: '1',
  } as unknown as RegistryObject;
}

describe('SQLite store: the stored body of a registry object', () => {
  it('reads back what was stored, with the nested objects whole', () => {
    const o = documentEntry();
    expect(decodeBody(encodeBody(o))).to.deep.equal(documentEntry());
  });

  it('stores nested objects without their empty lists and their reference to the object they are nested in', () => {
    const o = documentEntry();
    const stored = JSON.parse(encodeBody(o));
    expect(stored.classifications[0]).to.not.have.any.keys('name', 'description', 'classifications', 'externalIdentifiers', 'classifiedObject');
    expect(stored.classifications[2].classifiedObject).to.equal('urn:uuid:00000000-0000-4000-8000-000000000001');
    expect(stored.classifications[3].classifications[0]).to.not.have.any.keys('slots', 'classifiedObject');
    expect(stored.externalIdentifiers[0]).to.not.have.any.keys('slots', 'registryObject');
    expect(stored.externalIdentifiers[0].name).to.deep.equal([{ value: 'XDSDocumentEntry.patientId' }]);
    // The object given is left as it was.
    expect(o).to.deep.equal(documentEntry());
    expect(encodeBody(o).length).to.be.below(0.8 * JSON.stringify(o).length);
  });

  it('reads a body stored whole (before nested objects were stored short) the same', () => {
    expect(decodeBody(JSON.stringify(documentEntry()))).to.deep.equal(documentEntry());
  });

  it('stores an object without nested objects as it is', () => {
    const a = { id: 'urn:uuid:a', slots: [], name: [], description: [], classifications: [], externalIdentifiers: [], type: 'Association', associationType: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember', sourceObject: 'urn:uuid:s', targetObject: DOC } as RegistryObject;
    expect(encodeBody(a)).to.equal(JSON.stringify(a));
    expect(decodeBody(encodeBody(a))).to.deep.equal(a);
  });
});
