/** HL7 CX (extended composite ID) <-> patient identifiers. */
import type { Component } from '../../hl7v2/builder.ts';
import type { Repetition } from '../../hl7v2/message.ts';
import type { DomainIdentifier } from '../../identity/service.ts';
import type { AssigningAuthority, Domain } from '../../identity/types.ts';

export interface ReceivedCx {
  id: string;
  authority: AssigningAuthority;
  typeCode: string;
}

export function readCx(rep: Repetition): ReceivedCx {
  return {
    id: rep.get(1),
    authority: { namespace: rep.get(4, 1), oid: rep.get(4, 2), type: rep.get(4, 3) },
    typeCode: rep.get(5),
  };
}

/** HD written fully: namespace&universal id&ISO (ITI TF-2 3.9.4.2.2.5 asks for all three). */
export function hdComponent(d: Pick<Domain, 'namespace' | 'oid' | 'type'>): Component {
  return [d.namespace, d.oid, d.oid ? d.type || 'ISO' : undefined];
}

/** CX components: id ^^^ authority [^ type code]. */
export function cxComponents(i: DomainIdentifier, typeCode?: string): Component[] {
  return [i.id, undefined, undefined, hdComponent(i.domain), typeCode];
}

/** The CX as one ER7 string, for audit ParticipantObjectID. */
export function cxString(i: { id: string; domain: Pick<Domain, 'namespace' | 'oid' | 'type'> }): string {
  const hd = [i.domain.namespace, i.domain.oid, i.domain.oid ? i.domain.type || 'ISO' : ''];
  while (hd.length && hd[hd.length - 1] === '') hd.pop();
  return `${i.id}^^^${hd.join('&')}`;
}
