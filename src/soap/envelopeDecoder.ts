/**
 * From the bytes of a SOAP envelope to what a transaction works on: the XML parsed, the envelope's
 * WS-Addressing headers read, and, for the transactions that register a body decoder, the body
 * already decoded (e.g. an ITI-42 SubmitObjectsRequest into its ebRIM objects). The same steps run
 * here on the caller's thread and in decodeThreads.ts off it, so both give the same answers and the
 * same faults.
 */
import { childOf, parseXml, XmlError, type XmlElement, type XmlLimits } from '../xml/parse.ts';
import { readEnvelope, type SoapEnvelope } from './envelope.ts';
import { SoapFault, Subcodes } from './fault.ts';
import { NS } from './namespaces.ts';
import { carriesAssertion, headerDocument } from './wsSecurity/securityHeader.ts';

/** Decodes a transaction's Body element; throwing leaves the decoding to the transaction itself. */
export type BodyDecoder = (body: XmlElement) => unknown;

export interface DecodedEnvelope {
  env: SoapEnvelope;
  /** The Body decoded by the action's registered decoder; absent when none is registered or it threw. */
  predecoded?: unknown;
}

/** The bytes as a Buffer, not copied (a decode thread receives a Uint8Array). */
function asBuffer(bytes: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function parseEnvelopeXml(bytes: Buffer | Uint8Array, limits: XmlLimits): XmlElement {
  try {
    return parseXml(asBuffer(bytes), limits);
  } catch (e) {
    if (e instanceof XmlError) {
      const sub = e.kind === 'doctype' ? Subcodes.doctype : e.kind === 'too-large' ? Subcodes.tooLarge : Subcodes.malformedXml;
      throw new SoapFault('Sender', `the SOAP envelope is not acceptable XML: ${e.message}`, sub);
    }
    throw e;
  }
}

/**
 * Parses and reads the envelope; throws SoapFault for what is not an acceptable SOAP 1.2 message.
 * An envelope whose Security header carries an assertion keeps its header's text for the edge to
 * verify (the verifier's keys and clock live there, not on a decode thread).
 */
export function decodeEnvelope(bytes: Buffer | Uint8Array, limits: XmlLimits, decoders: Readonly<Record<string, BodyDecoder>> = {}): DecodedEnvelope {
  const root = parseEnvelopeXml(bytes, limits);
  const env = readEnvelope(root);
  if (carriesAssertion(childOf(root, NS.soap12, 'Header'))) env.securityHeader = headerDocument(asBuffer(bytes).toString('utf8'));
  const decode = decoders[env.action];
  if (!decode) return { env };
  try {
    return { env, predecoded: decode(env.body) };
  } catch {
    // The transaction decodes again and turns the error into its own protocol answer.
    return { env };
  }
}

/** Decodes envelopes, here or elsewhere. `actionHint` is the Content-Type's action parameter, if any. */
export interface EnvelopeDecoder {
  decode(bytes: Buffer, limits: XmlLimits, actionHint?: string): Promise<DecodedEnvelope>;
  close(): Promise<void>;
}

/** Decoding on the caller's thread, with the body decoders given. */
export function localDecoder(decoders: Readonly<Record<string, BodyDecoder>> = {}): EnvelopeDecoder {
  return {
    decode: async (bytes, limits) => decodeEnvelope(bytes, limits, decoders),
    close: async () => undefined,
  };
}
