/**
 * SOAP 1.2 faults (SOAP 1.2 Part 1 5.4): a typed error thrown anywhere below the edge and written
 * once, by the edge, as env:Fault with its Code, Subcode and Reason. Sender faults are answered with
 * HTTP 400 and Receiver faults with 500 (SOAP 1.2 Part 2 7.5.1.2).
 */
import { escapeText } from '../xml/write.ts';
import { NS } from './namespaces.ts';

export type FaultCode = 'VersionMismatch' | 'MustUnderstand' | 'Sender' | 'Receiver';

/** A subcode as a QName: WS-Addressing ones (wsa:ActionNotSupported), WS-Security ones (wsse:FailedCheck) or this server's (hie:...). */
export interface FaultSubcode {
  ns: string;
  local: string;
}

export const Subcodes = {
  actionNotSupported: { ns: NS.wsa, local: 'ActionNotSupported' },
  headerRequired: { ns: NS.wsa, local: 'MessageAddressingHeaderRequired' },
  invalidHeader: { ns: NS.wsa, local: 'InvalidAddressingHeader' },
  malformedXml: { ns: NS.hieFault, local: 'MalformedXml' },
  doctype: { ns: NS.hieFault, local: 'DoctypeNotAllowed' },
  tooLarge: { ns: NS.hieFault, local: 'MessageTooLarge' },
  notEnvelope: { ns: NS.hieFault, local: 'NotAnEnvelope' },
  mtomRequired: { ns: NS.hieFault, local: 'MtomRequired' },
  badMime: { ns: NS.hieFault, local: 'BadMimePackage' },
  unsupportedMedia: { ns: NS.hieFault, local: 'UnsupportedMediaType' },
  badBody: { ns: NS.hieFault, local: 'InvalidBody' },
  internal: { ns: NS.hieFault, local: 'InternalError' },
  /** The peer is no configured node, or its node lacks a role the transaction needs. */
  notAuthorized: { ns: NS.hieFault, local: 'NotAuthorized' },
} as const satisfies Record<string, FaultSubcode>;

/** A fault code of OASIS WSS 1.1 SOAP Message Security section 12 (wsse:InvalidSecurityToken, ...) as a subcode. */
export function wsseSubcode(local: string): FaultSubcode {
  return { ns: NS.wsse, local };
}

export class SoapFault extends Error {
  constructor(
    readonly code: FaultCode,
    readonly reason: string,
    readonly subcode?: FaultSubcode,
  ) {
    super(reason);
    this.name = 'SoapFault';
  }

  get httpStatus(): number {
    return this.code === 'Receiver' ? 500 : 400;
  }
}

const prefixOf = (ns: string) => (ns === NS.wsa ? 'wsa' : ns === NS.wsse ? 'wsse' : ns === NS.soap12 ? 'env' : 'hie');

/** The env:Fault element (the Body's only child). */
export function faultXml(f: SoapFault): string {
  const sub = f.subcode
    ? `<env:Subcode><env:Value xmlns:${prefixOf(f.subcode.ns)}="${f.subcode.ns}">${prefixOf(f.subcode.ns)}:${f.subcode.local}</env:Value></env:Subcode>`
    : '';
  return (
    `<env:Fault><env:Code><env:Value>env:${f.code}</env:Value>${sub}</env:Code>` +
    `<env:Reason><env:Text xml:lang="en">${escapeText(f.reason)}</env:Text></env:Reason></env:Fault>`
  );
}
