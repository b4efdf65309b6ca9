import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { parseXml } from '../../xml/parse.ts';
import { integrityProblem, retrievedDocuments, retrieveRequest, RetrieveError } from './retrieve.ts';

const response = (docs: string, errors = '') =>
  parseXml(
    `<xdsb:RetrieveDocumentSetResponse xmlns:xdsb="urn:ihe:iti:xds-b:2007" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" xmlns:xop="http://www.w3.org/2004/08/xop/include">` +
      `<rs:RegistryResponse status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:${errors ? 'Failure' : 'Success'}">${errors}</rs:RegistryResponse>${docs}</xdsb:RetrieveDocumentSetResponse>`,
  );
const doc = (uid: string, content: string) =>
  `<xdsb:DocumentResponse><xdsb:RepositoryUniqueId>1.2.3</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${uid}</xdsb:DocumentUniqueId><xdsb:mimeType>text/plain</xdsb:mimeType><xdsb:Document>${content}</xdsb:Document></xdsb:DocumentResponse>`;

describe('ITI-43 Document Consumer: request and response', () => {
  it('asks for each document by repository and uniqueId, escaped', () => {
    expect(retrieveRequest([{ repositoryUniqueId: '1.2.3', documentUniqueId: '4.5<6' }])).to.contain('<xdsb:RepositoryUniqueId>1.2.3</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>4.5&lt;6</xdsb:DocumentUniqueId>');
  });
  it('reads the bytes from the XOP attachment the Include names, or inline base64', () => {
    const got = retrievedDocuments(response(doc('1.1', '<xop:Include href="cid:part%401"/>') + doc('1.2', Buffer.from('inline').toString('base64'))), new Map([['part@1', Buffer.from('attached')]]));
    expect(got.map((d) => [d.documentUniqueId, d.mimeType, d.bytes.toString()])).to.deep.equal([
      ['1.1', 'text/plain', 'attached'],
      ['1.2', 'text/plain', 'inline'],
    ]);
  });
  it('refuses an Include without its part, and an answer with errors and no document', () => {
    expect(() => retrievedDocuments(response(doc('1.1', '<xop:Include href="cid:gone"/>')), new Map())).to.throw(RetrieveError, /not there/);
    const errors = '<rs:RegistryErrorList><rs:RegistryError errorCode="XDSMissingDocument" codeContext="no such document" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList>';
    expect(() => retrievedDocuments(response('', errors), new Map())).to.throw(RetrieveError, 'XDSMissingDocument: no such document');
  });
  it('checks size and SHA-1 against the registry', () => {
    const bytes = Buffer.from('document');
    const sha1 = createHash('sha1').update(bytes).digest('hex');
    expect(integrityProblem(bytes, { size: 8, hash: sha1.toUpperCase() })).to.equal(undefined);
    expect(integrityProblem(bytes, { size: 9, hash: sha1 })).to.equal('size 8 bytes, the registry says 9');
    expect(integrityProblem(bytes, { size: 8, hash: '0'.repeat(40) })).to.match(/^SHA-1 [0-9a-f]{40}, the registry says 0{40}$/);
  });
});
