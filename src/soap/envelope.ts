/**
 * SOAP 1.2 envelopes with WS-Addressing 1.0 headers (ITI TF-2x Appendix V): reading a request's
 * Action, MessageID and ReplyTo, and writing a response whose Action is the transaction's response
 * action and whose RelatesTo echoes the request's MessageID.
 */
import { randomUUID } from 'node:crypto';
import { childOf, type XmlElement } from '../xml/parse.ts';
import { escapeText } from '../xml/write.ts';
import { SoapFault, Subcodes, faultXml } from './fault.ts';
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

const isTrue = (v: string | undefined) => v === 'true' || v === '1';

export function readEnvelope(root: XmlElement): SoapEnvelope {
  if (root.local === 'Envelope' && root.ns === NS.soap11) {
    throw new SoapFault('VersionMismatch', 'SOAP 1.1 envelope; this endpoint speaks SOAP 1.2 (ITI TF-2x V.3.1)');
  }
  if (root.local !== 'Envelope' || root.ns !== NS.soap12) {
    throw new SoapFault('Sender', `the message is not a SOAP 1.2 envelope ({${root.ns}}${root.local})`, Subcodes.notEnvelope);
  }
  const header = childOf(root, NS.soap12, 'Header');
  const body = childOf(root, NS.soap12, 'Body');
  if (!body) throw new SoapFault('Sender', 'the envelope has no Body', Subcodes.notEnvelope);
  const first = body.children[0];
  if (!first) throw new SoapFault('Sender', 'the Body is empty', Subcodes.badBody);
  for (const h of header?.children ?? []) {
    if (isTrue(h.attrs[`{${NS.soap12}}mustUnderstand`]) && !UNDERSTOOD.has(h.ns)) {
      throw new SoapFault('MustUnderstand', `header block {${h.ns}}${h.local} is not understood`);
    }
  }
  const wsa = (local: string) => (header ? childOf(header, NS.wsa, local) : undefined);
  const action = wsa('Action')?.text.trim();
  if (!action) throw new SoapFault('Sender', 'the WS-Addressing Action header is missing', Subcodes.headerRequired);
  const replyTo = wsa('ReplyTo');
  return {
    action,
    messageId: wsa('MessageID')?.text.trim() || undefined,
    to: wsa('To')?.text.trim() || undefined,
    replyTo: replyTo ? childOf(replyTo, NS.wsa, 'Address')?.text.trim() : undefined,
    body: first,
  };
}

function envelope(action: string, relatesTo: string | undefined, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header>` +
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
  return envelope(FAULT_ACTION, relatesTo, faultXml(f));
}
