/**
 * SOAP 1.2 faults (SOAP 1.2 Part 1 5.4): a typed error thrown anywhere below the edge and written
 * once, by the edge, as env:Fault with its Code, Subcode, Reason and Detail, and the header blocks
 * some faults carry (env:NotUnderstood, env:Upgrade). Sender faults are answered with HTTP 400, every
 * other code (Receiver, MustUnderstand, VersionMismatch) with 500 (SOAP 1.2 Part 2 7.5.2.2, Table 20).
 */
import { escapeAttr, escapeText } from '../xml/write.ts';
import { NS } from './namespaces.ts';

export type FaultCode = 'VersionMismatch' | 'MustUnderstand' | 'Sender' | 'Receiver';

/** A qualified name: of a header block, of a subcode. */
export interface QName {
  ns: string;
  local: string;
}

/** A subcode as a QName: WS-Addressing ones (wsa:ActionNotSupported), WS-Security ones (wsse:FailedCheck) or this server's (hie:...). */
export interface FaultSubcode {
  ns: string;
  local: string;
}

export const Subcodes = {
  actionNotSupported: { ns: NS.wsa, local: 'ActionNotSupported' },
  /** WS-Addressing 1.0 SOAP Binding 6.4.2; the fault names the header in its Detail (FaultExtras.problemHeader). */
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
  /** The database went away under the request: nothing was done, send it again later. */
  storeUnavailable: { ns: NS.hieFault, local: 'StoreUnavailable' },
  /** The peer is no configured node, or its node lacks a role the transaction needs. */
  notAuthorized: { ns: NS.hieFault, local: 'NotAuthorized' },
} as const satisfies Record<string, FaultSubcode>;

/** A fault code of OASIS WSS 1.1 SOAP Message Security section 12 (wsse:InvalidSecurityToken, ...) as a subcode. */
export function wsseSubcode(local: string): FaultSubcode {
  return { ns: NS.wsse, local };
}

/** What a fault names besides its code and reason; plain data, so that it crosses to and from decode threads. */
export interface FaultExtras {
  /** MustUnderstand: every header block not understood, each in an env:NotUnderstood block (Part 1 5.4.8). */
  notUnderstood?: QName[];
  /** WS-Addressing 1.0 SOAP Binding 6.4.2: the missing or invalid header, as wsa:ProblemHeaderQName in env:Detail. */
  problemHeader?: QName;
  /** WS-Addressing 1.0 SOAP Binding 6.4.4: the action not supported, as wsa:ProblemAction in env:Detail. */
  problemAction?: string;
}

export class SoapFault extends Error {
  constructor(
    readonly code: FaultCode,
    readonly reason: string,
    readonly subcode?: FaultSubcode,
    readonly extras: FaultExtras = {},
  ) {
    super(reason);
    this.name = 'SoapFault';
  }

  get httpStatus(): number {
    return this.code === 'Sender' ? 400 : 500;
  }
}

const prefixOf = (ns: string) => (ns === NS.wsa ? 'wsa' : ns === NS.wsse ? 'wsse' : ns === NS.soap12 ? 'env' : 'hie');

/** A QName written in an element or attribute with its own prefix declaration (`decl` goes on the element). */
function qnameOf(q: QName, prefix: string): { decl: string; value: string } {
  if (!q.ns) return { decl: '', value: escapeText(q.local) };
  return { decl: ` xmlns:${prefix}="${escapeAttr(q.ns)}"`, value: `${prefix}:${q.local}` };
}

/** The env:Fault element (the Body's only child). */
export function faultXml(f: SoapFault): string {
  const sub = f.subcode
    ? `<env:Subcode><env:Value xmlns:${prefixOf(f.subcode.ns)}="${f.subcode.ns}">${prefixOf(f.subcode.ns)}:${f.subcode.local}</env:Value></env:Subcode>`
    : '';
  return (
    `<env:Fault><env:Code><env:Value>env:${f.code}</env:Value>${sub}</env:Code>` +
    `<env:Reason><env:Text xml:lang="en">${escapeText(f.reason)}</env:Text></env:Reason>${detailXml(f.extras)}</env:Fault>`
  );
}

function detailXml(x: FaultExtras): string {
  let inner = '';
  if (x.problemHeader) {
    const q = qnameOf(x.problemHeader, 'p');
    inner += `<wsa:ProblemHeaderQName xmlns:wsa="${NS.wsa}"${q.decl}>${q.value}</wsa:ProblemHeaderQName>`;
  }
  if (x.problemAction !== undefined) {
    inner += `<wsa:ProblemAction xmlns:wsa="${NS.wsa}"><wsa:Action>${escapeText(x.problemAction)}</wsa:Action></wsa:ProblemAction>`;
  }
  return inner ? `<env:Detail>${inner}</env:Detail>` : '';
}

/**
 * The header blocks of a fault message: one env:NotUnderstood per header block not understood
 * (SOAP 1.2 Part 1 5.4.8), and for a VersionMismatch the env:Upgrade block listing the envelope
 * this node supports (Part 1 5.4.7 and Appendix A).
 */
export function faultHeaderBlocks(f: SoapFault): string {
  let out = '';
  for (const q of f.code === 'MustUnderstand' ? (f.extras.notUnderstood ?? []) : []) {
    const n = qnameOf(q, 'nu');
    out += `<env:NotUnderstood${n.decl} qname="${n.value}"/>`;
  }
  if (f.code === 'VersionMismatch') out += `<env:Upgrade><env:SupportedEnvelope qname="env:Envelope"/></env:Upgrade>`;
  return out;
}
