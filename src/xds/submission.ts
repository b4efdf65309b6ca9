/**
 * What ITI-41, ITI-42, ITI-57 and ITI-62 share at the edge: the body element check, the ebXML
 * decoding, and the typed errors turned into a RegistryResponse.
 */
import { EbxmlDecodeError } from '../ebxml/decode.ts';
import { registryResponseXml, statusOf, type RegistryError } from '../ebxml/registryResponse.ts';
import { SoapFault, Subcodes } from '../soap/fault.ts';
import type { XmlElement } from '../xml/parse.ts';
import { asRegistryErrors } from './registry/errors.ts';

/** The Body's element must be the transaction's request; anything else is the sender's fault. */
export function expectBody(body: XmlElement, ns: string, local: string, transaction: string): void {
  if (body.ns !== ns || body.local !== local) {
    throw new SoapFault('Sender', `${transaction} expects {${ns}}${local} in the Body, not {${body.ns}}${body.local}`, Subcodes.badBody);
  }
}

/** A failure as registry errors: typed XDS errors as they are, decoding errors as metadata errors, the rest as XDSRegistryError. */
export function errorsOf(e: unknown, internalCode: 'XDSRegistryError' | 'XDSRepositoryError' = 'XDSRegistryError'): { errors: RegistryError[]; internal: boolean } {
  const known = asRegistryErrors(e);
  if (known) return { errors: known, internal: false };
  if (e instanceof EbxmlDecodeError) {
    return { errors: [{ errorCode: internalCode === 'XDSRegistryError' ? 'XDSRegistryMetadataError' : 'XDSRepositoryMetadataError', codeContext: e.message, location: e.location, severity: 'Error' }], internal: false };
  }
  return { errors: [{ errorCode: internalCode, codeContext: 'internal error: the request was not processed', severity: 'Error' }], internal: true };
}

export function registryResponseBody(errors: RegistryError[]): string {
  return registryResponseXml(statusOf(errors), errors);
}
