import { expect } from 'chai';
import { silentLogger } from '../kernel/logger.ts';
import { envelope, ACTIONS } from '../../test/helpers/xds.ts';
import { submitObjectsRequest, uniqueOid } from '../../test/helpers/xdsMetadata.ts';
import { decoders, DECODERS_MODULE } from '../xds/decoders.ts';
import { DEFAULT_XML_LIMITS } from '../xml/parse.ts';
import { DecodeThreads } from './decodeThreads.ts';
import { decodeEnvelope, localDecoder } from './envelopeDecoder.ts';
import { SoapFault, Subcodes } from './fault.ts';

const PATIENT = 'P1^^^&1.3.6.1.4.1.21367.13.20.1000&ISO';
/** A submission's objects: the SubmissionSet, its classification as one, and each document with its HasMember. */
const objectsOf = (docs: number) => 2 + 2 * docs;
const register = (docs = 2) => Buffer.from(envelope(ACTIONS.iti42, submitObjectsRequest({ patientId: PATIENT, docs: Array.from({ length: docs }, () => ({ uniqueId: uniqueOid('1.2.392.999.1') })) }), 'urn:uuid:0b0a7e4e-1c1d-4d55-9a5e-3d6f1f0c0001'));

async function faultOf(p: Promise<unknown>): Promise<SoapFault> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SoapFault) return e;
    throw e;
  }
  throw new Error('no fault');
}

describe('SOAP decode threads', function () {
  this.timeout(30_000);
  let pool: DecodeThreads;
  beforeEach(() => {
    pool = new DecodeThreads({ count: 1, decodersModule: DECODERS_MODULE, decoders, log: silentLogger });
  });
  afterEach(async () => {
    await pool.close();
  });

  it('decodes an ITI-42 request on the thread exactly as the main thread does, without sending the Body tree back', async () => {
    const bytes = register(3);
    const here = decodeEnvelope(bytes, DEFAULT_XML_LIMITS, decoders);
    const there = await pool.decode(bytes, DEFAULT_XML_LIMITS, ACTIONS.iti42);
    expect(there.predecoded).to.deep.equal(here.predecoded);
    expect((there.predecoded as { input: unknown[] }).input).to.have.length(objectsOf(3));
    expect(there.env.action).to.equal(ACTIONS.iti42);
    expect(there.env.messageId).to.equal('urn:uuid:0b0a7e4e-1c1d-4d55-9a5e-3d6f1f0c0001');
    expect(there.env.body).to.deep.equal({ ns: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0', local: 'SubmitObjectsRequest', attrs: {}, children: [], text: '' });
  });

  it('answers the same SOAP fault as the main thread for XML that is not acceptable', async () => {
    for (const bad of ['<env:Envelope', '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', '<x/>']) {
      const there = await faultOf(pool.decode(Buffer.from(bad), DEFAULT_XML_LIMITS, ACTIONS.iti42));
      const here = await faultOf(localDecoder(decoders).decode(Buffer.from(bad), DEFAULT_XML_LIMITS));
      expect(there.code).to.equal(here.code);
      expect(there.subcode).to.deep.equal(here.subcode);
      expect(there.reason).to.equal(here.reason);
    }
    const f = await faultOf(pool.decode(Buffer.from('<!DOCTYPE x><x/>'), DEFAULT_XML_LIMITS, ACTIONS.iti42));
    expect(f.subcode).to.deep.equal(Subcodes.doctype);
  });

  it('leaves a Body its decoder refuses to the transaction, with the whole tree', async () => {
    const bytes = Buffer.from(envelope(ACTIONS.iti42, '<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"/>'));
    const there = await pool.decode(bytes, DEFAULT_XML_LIMITS, ACTIONS.iti42);
    expect(there.predecoded).to.equal(undefined);
    expect(there.env.body.local).to.equal('SubmitObjectsRequest');
  });

  it('decodes on the main thread what names no action, or an action without a decoder', async () => {
    const query = Buffer.from(envelope(ACTIONS.iti18, '<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"/>'));
    const d = await pool.decode(query, DEFAULT_XML_LIMITS, ACTIONS.iti18);
    expect(d.predecoded).to.equal(undefined);
    expect(d.env.body.local).to.equal('AdhocQueryRequest');
    const unhinted = await pool.decode(register(1), DEFAULT_XML_LIMITS);
    expect((unhinted.predecoded as { input: unknown[] }).input).to.have.length(objectsOf(1));
  });

  it('a thread that dies hands its requests back to the main thread: every request is answered', async () => {
    const pending = Array.from({ length: 20 }, () => pool.decode(register(2), DEFAULT_XML_LIMITS, ACTIONS.iti42));
    const threads = (pool as unknown as { threads: { threads: { worker: { terminate(): Promise<number> } }[] } }).threads.threads;
    await threads[0].worker.terminate();
    const all = await Promise.all(pending);
    expect(all.every((d) => (d.predecoded as { input: unknown[] }).input.length === objectsOf(2))).to.equal(true);
    expect(pool.size).to.equal(0);
    const after = await pool.decode(register(1), DEFAULT_XML_LIMITS, ACTIONS.iti42);
    expect((after.predecoded as { input: unknown[] }).input).to.have.length(objectsOf(1));
  });
});
