import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { conformanceDir } from '../../../test/helpers/conformance.ts';
import type { SoapAnswer } from '../../soap/client.ts';
import { parseXml } from '../../xml/parse.ts';
import { MalformedAnswer, queryAnswer, retrieveAnswer } from './answers.ts';

/** A NIST XCA response sample as exchangeSoap would hand it over (inline documents, no attachments). */
function answerOf(file: string): SoapAnswer {
  const envelopeXml = fs.readFileSync(path.join(conformanceDir(), 'xca', file), 'utf8');
  const env = parseXml(envelopeXml);
  const body = env.children.find((c) => c.local === 'Body')!.children[0];
  return { status: 200, envelopeXml, body, attachments: [] };
}

describe('the answers the Initiating Gateway accepts from a peer (NIST XCA response samples)', () => {
  it('reads an ITI-38 answer: the objects with their home', () => {
    const a = queryAnswer(answerOf('nist_soap-xcq-resp.xml'));
    expect(a.status).to.equal('Success');
    const eos = a.objects.filter((o) => o.type === 'ExtrinsicObject');
    expect(eos.length).to.be.greaterThan(0);
    expect(eos[0].home).to.equal('urn:oid:2.3.4');
    expect(a.errors).to.deep.equal([]);
  });

  it('reads an ITI-38 answer with errors and results: each error with its location', () => {
    const a = queryAnswer(answerOf('nist_soap-xcq-resp-error.xml'));
    expect(a.status).to.equal('Failure');
    expect(a.errors).to.have.length(1);
    expect(a.errors[0]).to.include({ errorCode: 'MyBigError', severity: 'Error' });
    expect(a.objects.length).to.be.greaterThan(0);
  });

  it('reads an ITI-39 answer: each document with its HomeCommunityId, its bytes inline', () => {
    const a = retrieveAnswer(answerOf('nist_soap-xret-resp.xml'));
    expect(a.status).to.equal('Success');
    expect(a.documents).to.have.length(2);
    for (const d of a.documents) {
      expect(d.homeCommunityId).to.match(/^urn:oid:/);
      expect(Buffer.concat(d.data).length).to.be.greaterThan(0);
    }
    const e = retrieveAnswer(answerOf('nist_soap-xret-resp-error.xml'));
    expect(e.status).to.equal('Failure');
    expect(e.errors.map((x) => [x.errorCode, x.location])).to.deep.equal([['MyBigError', 'urn:oid:1.2.3']]);
  });

  it('refuses the NEGATIVE sample: a DocumentResponse without its HomeCommunityId', () => {
    expect(() => retrieveAnswer(answerOf('nist_soap-xret-resp-homeless.xml'))).to.throw(MalformedAnswer, /HomeCommunityId|homeCommunityId/);
  });

  it('refuses the answer of the other transaction, an unknown status, an unknown object', () => {
    expect(() => retrieveAnswer(answerOf('nist_soap-xcq-resp.xml'))).to.throw(MalformedAnswer, /RetrieveDocumentSetResponse/);
    const bad = (xml: string): SoapAnswer => ({ status: 200, envelopeXml: xml, body: parseXml(xml), attachments: [] });
    expect(() => queryAnswer(bad('<q:AdhocQueryResponse xmlns:q="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" status="Maybe"/>'))).to.throw(MalformedAnswer, /unknown response status/);
    expect(() =>
      queryAnswer(bad('<q:AdhocQueryResponse xmlns:q="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"><rim:RegistryObjectList><rim:Bogus id="x"/></rim:RegistryObjectList></q:AdhocQueryResponse>')),
    ).to.throw(MalformedAnswer, /does not decode/);
  });
});
