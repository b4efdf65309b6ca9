import { expect } from 'chai';
import { parseXml } from '../../xml/parse.ts';
import { documentSummaries, findDocumentsRequest, getDocumentsRequest, RegistryQueryError } from './storedQuery.ts';

const NS = 'xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"';
const slot = (name: string, v: string) => `<rim:Slot name="${name}"><rim:ValueList><rim:Value>${v}</rim:Value></rim:ValueList></rim:Slot>`;
const entry =
  `<rim:ExtrinsicObject id="urn:uuid:e1" mimeType="text/plain" status="urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">` +
  slot('creationTime', '20240401101500') +
  slot('size', '42') +
  slot('hash', 'ABCDEF') +
  slot('repositoryUniqueId', '2.999.392.1.3') +
  slot('sourcePatientId', '0001^^^&amp;1.2.3&amp;ISO') +
  `<rim:Name><rim:LocalizedString value="紹介状"/></rim:Name>` +
  `<rim:Classification id="c1" classificationScheme="urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d" classifiedObject="urn:uuid:e1" nodeRepresentation="">${slot('authorInstitution', '登呂中央病院^^^^^&amp;1.2.3&amp;ISO^^^^1.2.3</rim:Value><rim:Value>^^^^^^^^^2.999.9')}</rim:Classification>` +
  `<rim:Classification id="c2" classificationScheme="urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a" classifiedObject="urn:uuid:e1" nodeRepresentation="11488-4">${slot('codingScheme', '2.16.840.1.113883.6.1')}<rim:Name><rim:LocalizedString value="診療情報提供書"/></rim:Name></rim:Classification>` +
  `<rim:ExternalIdentifier id="x1" identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" registryObject="urn:uuid:e1" value="1.2.3.4"/>` +
  `<rim:ExternalIdentifier id="x2" identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" registryObject="urn:uuid:e1" value="R1^^^&amp;2.999&amp;ISO"/>` +
  `</rim:ExtrinsicObject>`;

describe('ITI-18 Document Consumer: stored queries and their answers', () => {
  it('writes FindDocuments and GetDocuments with quoted values (ITI TF-2a 3.18.4.1.2.3.5)', () => {
    const find = findDocumentsRequest("R1^^^&2.999&ISO", true);
    expect(find).to.contain('<rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d">');
    expect(find).to.contain(`<rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'R1^^^&amp;2.999&amp;ISO'</rim:Value>`);
    expect(find).to.contain("('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved','urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated')");
    expect(getDocumentsRequest(["1.2.3'4"])).to.contain(`<rim:Slot name="$XDSDocumentEntryUniqueId"><rim:ValueList><rim:Value>('1.2.3''4')</rim:Value>`);
  });
  it('reads each DocumentEntry of a LeafClass answer into a summary', () => {
    const [d] = documentSummaries(parseXml(`<query:AdhocQueryResponse ${NS} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"><rim:RegistryObjectList>${entry}</rim:RegistryObjectList></query:AdhocQueryResponse>`));
    expect(d).to.deep.include({ entryUuid: 'urn:uuid:e1', uniqueId: '1.2.3.4', patientId: 'R1^^^&2.999&ISO', status: 'Deprecated', title: '紹介状', mimeType: 'text/plain', size: 42, hash: 'abcdef', creationTime: '20240401101500', repositoryUniqueId: '2.999.392.1.3', sourcePatientId: '0001^^^&1.2.3&ISO' });
    expect(d.classCode).to.deep.equal({ code: '11488-4', codingScheme: '2.16.840.1.113883.6.1', display: '診療情報提供書' });
    expect(d.institutions).to.deep.equal(['登呂中央病院', '2.999.9']);
  });
  it('throws the registry\'s errors for a Failure', () => {
    const failure = `<query:AdhocQueryResponse ${NS} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"><rs:RegistryErrorList><rs:RegistryError errorCode="XDSUnknownPatientId" codeContext="unknown patient" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList></query:AdhocQueryResponse>`;
    expect(() => documentSummaries(parseXml(failure))).to.throw(RegistryQueryError, 'XDSUnknownPatientId: unknown patient');
  });
});
