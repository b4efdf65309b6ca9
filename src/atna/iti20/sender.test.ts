import { expect } from 'chai';
import type { NodeIdentity, RequestContext } from '../../kernel/requestContext.ts';
import { senderFields, senderOf, type Sender } from './sender.ts';

const node = (name: string, facilities: string[] | '*', auditSourceIds: string[]): NodeIdentity => ({
  name,
  facilities,
  sourceIds: [],
  auditSourceIds,
  roles: new Set(['source']),
  breakGlass: new Set(),
  requireAssertion: false,
});
const ctx = (n?: NodeIdentity): RequestContext => ({ transport: 'syslog-tls', address: '192.0.2.9', node: n });

describe('ATNA: who sent a received audit message', () => {
  const hospA = senderOf(ctx(node('hosp-a', ['1.2.392.999.1'], ['EHR_A', 'LAB_A'])));
  const cases: { name: string; sender: Sender | undefined; sourceId: string | undefined; fields: object }[] = [
    { name: "the node's own AuditSourceID", sender: hospA, sourceId: 'LAB_A', fields: { sender: 'hosp-a' } },
    { name: "another node's AuditSourceID", sender: hospA, sourceId: 'EHR_B', fields: { sender: 'hosp-a', senderMark: 'source-not-sender' } },
    { name: 'a message that could not be read (no AuditSourceID)', sender: hospA, sourceId: undefined, fields: { sender: 'hosp-a' } },
    { name: 'a peer that matched no node', sender: senderOf(ctx(undefined)), sourceId: 'EHR_A', fields: { senderMark: 'unknown-sender' } },
    { name: 'the operator (every facility) relays any source', sender: senderOf(ctx(node('local', '*', ['local']))), sourceId: 'EHR_B', fields: { sender: 'local' } },
    { name: 'a peer not identified (in-process)', sender: undefined, sourceId: 'EHR_B', fields: {} },
  ];
  for (const c of cases) it(c.name, () => expect(senderFields(c.sender, c.sourceId)).to.deep.equal(c.fields));
});
