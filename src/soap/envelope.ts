/**
 * SOAP 1.2 envelopes with WS-Addressing 1.0 headers (ITI TF-2x Appendix V): reading a request's
 * Action, MessageID and ReplyTo, and writing a response whose Action is the transaction's response
 * action and whose RelatesTo echoes the request's MessageID.
 */
import { randomUUID } from 'node:crypto';
import { childOf, type XmlElement } from '../xml/parse.ts';
import { escapeText } from '../xml/write.ts';
import { SoapFault, Subcodes, faultHeaderBlocks, faultXml, type QName } from './fault.ts';
import { NS } from './namespaces.ts';

export interface SoapEnvelope {
  action: string;
  messageId?: string;
  to?: string;
  replyTo?: string;
  /** The Body's first element. */
  body: XmlElement;
  /**
   * When a wsse:Security header carries a SAML assertion: the envelope's text up to the end of its
   * Header, closed, on which the assertion's signature is checked (wsSecurity/securityHeader.ts).
   */
  securityHeader?: string;
}

/** Header blocks this server processes; any other with mustUnderstand="true" gets a MustUnderstand fault. */
const UNDERSTOOD = new Set<string>([NS.wsa, NS.wsse]);

/** The roles this node plays (SOAP 1.2 Part 1 2.2): a block with no role is for the ultimate receiver. */
const MY_ROLES = new Set<string>([`${NS.soap12}/role/next`, `${NS.soap12}/role/ultimateReceiver`]);

const isTrue = (v: string | undefined) => v === 'true' || v === '1';

/**
 * The header blocks targeted at this node (Part 1 5.2.2) that are mandatory (5.2.3) and not
 * understood: all of them, since the fault names each one (5.4.8).
 */
function notUnderstood(header: XmlElement | undefined): QName[] {
  return (header?.children ?? [])
    .filter((h) => isTrue(h.attrs[`{${NS.soap12}}mustUnderstand`]?.trim()))
    .filter((h) => {
      const role = h.attrs[`{${NS.soap12}}role`]?.trim();
      return !role || MY_ROLES.has(role);
    })
    .filter((h) => !UNDERSTOOD.has(h.ns))
    .map((h) => ({ ns: h.ns, local: h.local }));
}

export function readEnvelope(root: XmlElement): SoapEnvelope {
  // An Envelope of another namespace (SOAP 1.1 or unknown) is a VersionMismatch (Part 1 5.4.7).
  if (root.local === 'Envelope' && root.ns !== NS.soap12) {
    throw new SoapFault('VersionMismatch', `${root.ns === NS.soap11 ? 'SOAP 1.1 envelope' : `envelope of namespace '${root.ns}'`}; this endpoint speaks SOAP 1.2 (ITI TF-2x V.3.1)`);
  }
  if (root.local !== 'Envelope' || root.ns !== NS.soap12) {
    throw new SoapFault('Sender', `the message is not a SOAP 1.2 envelope ({${root.ns}}${root.local})`, Subcodes.notEnvelope);
  }
  const header = childOf(root, NS.soap12, 'Header');
  const body = childOf(root, NS.soap12, 'Body');
  if (!body) throw new SoapFault('Sender', 'the envelope has no Body', Subcodes.notEnvelope);
  const first = body.children[0];
  if (!first) throw new SoapFault('Sender', 'the Body is empty', Subcodes.badBody);
  const missed = notUnderstood(header);
  if (missed.length > 0) {
    throw new SoapFault('MustUnderstand', `header block(s) ${missed.map((q) => `{${q.ns}}${q.local}`).join(', ')} not understood`, undefined, { notUnderstood: missed });
  }
  const wsa = (local: string) => (header ? childOf(header, NS.wsa, local) : undefined);
  const action = wsa('Action')?.text.trim();
  if (!action) throw headerRequired('Action');
  // Every request here expects a reply, so it carries a [message id] (WS-Addressing 1.0 Core 3.1;
  // ITI TF-2x V.3.2.1: wsa:MessageID is required on request messages).
  const messageId = wsa('MessageID')?.text.trim();
  if (!messageId) throw headerRequired('MessageID');
  const replyTo = wsa('ReplyTo');
  return {
    action,
    messageId,
    to: wsa('To')?.text.trim() || undefined,
    replyTo: replyTo ? childOf(replyTo, NS.wsa, 'Address')?.text.trim() : undefined,
    body: first,
  };
}

/** WS-Addressing 1.0 SOAP Binding 6.4.2: Sender, wsa:MessageAddressingHeaderRequired, the header named in the Detail. */
function headerRequired(local: 'Action' | 'MessageID'): SoapFault {
  return new SoapFault('Sender', `A required header representing a Message Addressing Property is not present: wsa:${local}`, Subcodes.headerRequired, {
    problemHeader: { ns: NS.wsa, local },
  });
}

function envelope(action: string, relatesTo: string | undefined, body: string, headerBlocks = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header>` +
    headerBlocks +
    `<wsa:Action env:mustUnderstand="true">${escapeText(action)}</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>` +
    (relatesTo ? `<wsa:RelatesTo>${escapeText(relatesTo)}</wsa:RelatesTo>` : '') +
    `</env:Header><env:Body>${body}</env:Body></env:Envelope>`
  );
}

/** A response envelope around `bodyXml` (one element). */
export function responseEnvelope(action: string, relatesTo: string | undefined, bodyXml: string): string {
  return envelope(action, relatesTo, bodyXml);
}

/** WS-Addressing 1.0 SOAP Binding 6: the action of every fault. */
export const FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';

export function faultEnvelope(f: SoapFault, relatesTo?: string): string {
  return envelope(FAULT_ACTION, relatesTo, faultXml(f), faultHeaderBlocks(f));
}
