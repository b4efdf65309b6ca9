import { expect } from 'chai';
import { securityHeader } from '../../../test/helpers/saml.ts';
import { submitObjectsRequest } from '../../../test/helpers/xdsMetadata.ts';
import { silentLogger } from '../../kernel/logger.ts';
import { decoders, DECODERS_MODULE } from '../../xds/decoders.ts';
import { XDS } from '../../xds/transactions.ts';
import { DEFAULT_XML_LIMITS } from '../../xml/parse.ts';
import { requestEnvelope } from '../client.ts';
import { DecodeThreads } from '../decodeThreads.ts';
import { decodeEnvelope } from '../envelopeDecoder.ts';
import { headerDocument } from './securityHeader.ts';

const ASSERTION = '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1" Version="2.0"><saml2:Issuer>i</saml2:Issuer></saml2:Assertion>';

describe('WS-Security header: the text a signature is checked on', () => {
  it('is the envelope up to the end of its Header, closed, byte for byte (prefixes, line ends, astral characters, a BOM)', () => {
    const text = '\uFEFF<?xml version="1.0"?>\r\n<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope">\r\n<S:Header><w:Security xmlns:w="x">😀\r\n</w:Security></S:Header><S:Body><big/></S:Body></S:Envelope>';
    expect(headerDocument(text)).to.equal('<?xml version="1.0"?>\r\n<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope">\r\n<S:Header><w:Security xmlns:w="x">😀\r\n</w:Security></S:Header></S:Envelope>');
  });

  it('is kept only when a Security header carries an assertion', () => {
    const plain = decodeEnvelope(Buffer.from(requestEnvelope('urn:a', 'http://x/', '<b/>')), DEFAULT_XML_LIMITS);
    expect(plain.env.securityHeader).to.equal(undefined);
    const timestampOnly = decodeEnvelope(Buffer.from(requestEnvelope('urn:a', 'http://x/', '<b/>', undefined, securityHeader('<u:Timestamp xmlns:u="urn:u"/>'))), DEFAULT_XML_LIMITS);
    expect(timestampOnly.env.securityHeader).to.equal(undefined);
    // A Security header for another SOAP role is not this server's to process (SOAP 1.2 Part 1 2.2).
    const forOther = securityHeader(ASSERTION).replace('env:mustUnderstand="true"', 'env:role="urn:example:intermediary"');
    expect(decodeEnvelope(Buffer.from(requestEnvelope('urn:a', 'http://x/', '<b/>', undefined, forOther)), DEFAULT_XML_LIMITS).env.securityHeader).to.equal(undefined);
    const env = requestEnvelope('urn:a', 'http://x/', '<b/>', undefined, securityHeader(ASSERTION));
    const got = decodeEnvelope(Buffer.from(env), DEFAULT_XML_LIMITS).env.securityHeader!;
    expect(got).to.contain(ASSERTION);
    expect(got).not.to.contain('<soap:Body>');
  });

  it('reaches the edge from a decode thread too', async () => {
    const pool = new DecodeThreads({ count: 1, decodersModule: DECODERS_MODULE, decoders, log: silentLogger });
    try {
      const action = XDS['ITI-42'].action;
      const bytes = Buffer.from(requestEnvelope(action, 'http://x/', submitObjectsRequest({ patientId: 'P1^^^&1.2.3&ISO', docs: [{}] }), undefined, securityHeader(ASSERTION)));
      const there = await pool.decode(bytes, DEFAULT_XML_LIMITS, action);
      expect(there.predecoded).not.to.equal(undefined);
      expect(there.env.securityHeader).to.equal(decodeEnvelope(bytes, DEFAULT_XML_LIMITS).env.securityHeader);
    } finally {
      await pool.close();
    }
  });
});
