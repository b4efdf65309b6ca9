import { expect } from 'chai';
import { submitObjectsRequest } from '../../test/helpers/xdsMetadata.ts';
import { decodeRegistryObjectList, registryObjectListOf } from '../ebxml/decode.ts';
import type { NodeIdentity, RequestContext } from '../kernel/requestContext.ts';
import type { StoredEntry } from '../xds/registry/entries.ts';
import { parseXml } from '../xml/parse.ts';
import { changeRefusals, claimsOf, submissionRefusals, submittingFacility, xonParts, type Facility, type SubmissionClaims } from './submissionAuthorization.ts';

const A = '1.2.392.999.1';
const B = '1.2.392.999.2';
const C = '1.2.392.999.3';
const directory: Facility[] = [
  { namespace: 'HOSP_A', oid: A },
  { namespace: 'HOSP_B', oid: B },
  { namespace: 'HOSP_C', oid: C },
];

function node(name: string, facilities: string[] | '*', extraSourceIds: string[] = []): NodeIdentity {
  return {
    name,
    facilities,
    sourceIds: [...(facilities === '*' ? [] : facilities), ...extraSourceIds],
    auditSourceIds: [name],
    roles: new Set(['source', 'consumer']),
    breakGlass: new Set(),
    requireAssertion: false,
  };
}
const ctxOf = (n?: NodeIdentity): RequestContext => ({ transport: 'soap', address: '192.0.2.1', node: n });

const hospA = ctxOf(node('hosp-a', [A], ['1.2.392.999.1.77']));
const hospAC = ctxOf(node('hosp-ac', [A, C]));
const operator = ctxOf(node('local', '*'));
const stranger = ctxOf(undefined);

const xon = (name: string, id = '') => `${name}^^^^^${id ? `&${id}&ISO` : ''}^^^^${id}`;
const claims = (sourceId: string | undefined, ssAuthors: string[], docAuthors: string[][]): SubmissionClaims => ({
  submissionSet: { id: 'SubmissionSet01', sourceId, authorInstitutions: ssAuthors },
  documents: docAuthors.map((a, i) => ({ id: `Document0${i + 1}`, authorInstitutions: a })),
});

describe('consent: node authorization of XDS submissions', () => {
  const cases: { name: string; ctx: RequestContext; claims: SubmissionClaims; refused: [string, string][]; facility: string | null }[] = [
    { name: 'own sourceId, own institution by XON-10', ctx: hospA, claims: claims(A, [xon('東京病院', A)], [[xon('東京病院', A)]]), refused: [], facility: A },
    { name: 'a config sourceId of the node', ctx: hospA, claims: claims('1.2.392.999.1.77', [], [[]]), refused: [], facility: A },
    { name: 'an institution named by the facility namespace (XON-1)', ctx: hospA, claims: claims(A, [], [['HOSP_A']]), refused: [], facility: A },
    { name: 'an institution named by a node sourceId (XON-10)', ctx: hospA, claims: claims(A, [], [[xon('分院', '1.2.392.999.1.77')]]), refused: [], facility: A },
    { name: "another facility's sourceId", ctx: hospA, claims: claims(B, [], [[xon('東京病院', A)]]), refused: [['sourceId', 'SubmissionSet01']], facility: A },
    { name: 'no sourceId', ctx: hospA, claims: claims(undefined, [], [[]]), refused: [['sourceId', 'SubmissionSet01']], facility: A },
    {
      name: "another facility's author institution, on the SubmissionSet and one document",
      ctx: hospA,
      claims: claims(A, [xon('大阪病院', B)], [[xon('東京病院', A)], [xon('東京病院', A), xon('大阪病院', B)]]),
      refused: [['authorInstitution', 'SubmissionSet01'], ['authorInstitution', 'Document02']],
      facility: A,
    },
    { name: "B's namespace as XON-1 without identifier", ctx: hospA, claims: claims(A, [], [['HOSP_B']]), refused: [['authorInstitution', 'Document01']], facility: A },
    { name: 'a node of two facilities: the one named by the sourceId', ctx: hospAC, claims: claims(C, [], [[xon('C', C)]]), refused: [], facility: C },
    { name: 'a node of two facilities: the other one', ctx: hospAC, claims: claims(A, [], [[xon('A', A)]]), refused: [], facility: A },
    { name: 'the operator submits anything, recorded under the sourceId facility', ctx: operator, claims: claims(B, [xon('x', C)], [[xon('y', C)]]), refused: [], facility: B },
    { name: 'the operator: the author institution names the facility', ctx: operator, claims: claims('9.9.9', [], [[xon('y', C)]]), refused: [], facility: C },
    { name: 'the operator: no configured facility named', ctx: operator, claims: claims('9.9.9', [], [[xon('y', '8.8.8')]]), refused: [], facility: null },
    { name: 'a peer that is no node', ctx: stranger, claims: claims(A, [], [[]]), refused: [['sourceId', 'SubmissionSet01']], facility: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(submissionRefusals(c.ctx, c.claims, directory).map((r) => [r.rule, r.objectId])).to.deep.equal(c.refused);
      expect(submittingFacility(c.ctx, c.claims, directory)).to.equal(c.facility);
    });
  }

  it('reads sourceId and author institutions from typed metadata', () => {
    const xml = submitObjectsRequest({ patientId: 'P1^^^&1.3.6.1.4.1.21367.2005.3.7&ISO', docs: [{}, {}] });
    const objects = decodeRegistryObjectList(registryObjectListOf(parseXml(xml))!);
    const c = claimsOf(objects);
    expect(c.submissionSet).to.deep.include({ id: 'SubmissionSet01', sourceId: A, authorInstitutions: [] });
    expect(c.documents.map((d) => d.authorInstitutions)).to.deep.equal([[`東京病院^^^^^&${A}&ISO^^^^${A}`], [`東京病院^^^^^&${A}&ISO^^^^${A}`]]);
    expect(xonParts(c.documents[0].authorInstitutions[0])).to.deep.equal({ name: '東京病院', identifier: A });
  });
});

describe('consent: node authorization of registry changes (ITI-57, ITI-62)', () => {
  const entry = (uuid: string, facility: string | null): StoredEntry =>
    ({ uuid, kind: 'DocumentEntry', lid: uuid, version: 1, status: 'Approved', personId: 1, facility, uniqueId: null, hash: null, size: null, repositoryUniqueId: null, object: {} }) as unknown as StoredEntry;
  const cases: { name: string; ctx: RequestContext; entries: StoredEntry[]; refused: string[] }[] = [
    { name: "the node's own entries", ctx: hospA, entries: [entry('u1', A), entry('u2', A)], refused: [] },
    { name: "another facility's entry, among own ones", ctx: hospA, entries: [entry('u1', A), entry('u2', B)], refused: ['u2'] },
    { name: 'an entry of unknown facility', ctx: hospA, entries: [entry('u3', null)], refused: ['u3'] },
    { name: 'a node of two facilities', ctx: hospAC, entries: [entry('u1', A), entry('u4', C)], refused: [] },
    { name: 'the operator changes anything, unknown facility too', ctx: operator, entries: [entry('u2', B), entry('u3', null)], refused: [] },
    { name: 'a peer that is no node', ctx: stranger, entries: [entry('u1', A)], refused: ['u1'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const refusals = changeRefusals(c.ctx, c.entries, 'remove');
      expect(refusals.map((r) => r.objectId)).to.deep.equal(c.refused);
      expect(refusals.every((r) => r.rule === 'owner')).to.equal(true);
    });
  }
});
