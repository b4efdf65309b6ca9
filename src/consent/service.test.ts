import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { emptyBase, type Classification, type ExtrinsicObject } from '../ebxml/rim.ts';
import { NODE_ROLES, type NodeIdentity, type NodeRole, type RequestContext } from '../kernel/requestContext.ts';
import { SqliteStore } from '../store/sqlite/sqliteStore.ts';
import type { Store } from '../store/types.ts';
import type { StoredEntry } from '../xds/registry/entries.ts';
import { DocumentEntrySchemes } from '../xds/registry/schemes.ts';
import { emptyTerms, type ConsentTerms, type Withheld } from './model.ts';
import { ConsentService, PATIENT_NOTIFICATIONS_CHANNEL } from './service.ts';

const A = '1.2.3.1';
const B = '1.2.3.2';
const C = '1.2.3.3';
const PEER = 'urn:oid:1.9.9.1';
const OTHER_PEER = 'urn:oid:1.9.9.2';
const NOW = new Date('2026-06-01T00:00:00Z');

function node(name: string, facilities: string[] | '*', o: { roles?: NodeRole[]; breakGlass?: string[]; homeCommunityId?: string } = {}): NodeIdentity {
  return {
    name,
    facilities,
    sourceIds: [],
    auditSourceIds: [name],
    roles: new Set(o.roles ?? ['consumer']),
    breakGlass: new Set(o.breakGlass ?? []),
    requireAssertion: false,
    homeCommunityId: o.homeCommunityId,
  };
}

const ctxOf = (n: NodeIdentity, purpose?: string): RequestContext => ({ transport: 'soap', address: '10.0.0.9', node: n, ...(purpose ? { purposeOfUse: { code: purpose } } : {}) });

const REQUESTERS = {
  operator: node('operator', '*', { roles: [...NODE_ROLES] }),
  /** Made the a* documents and holds a record of the patient. */
  ownA: node('hosp-a', [A]),
  /** Another facility of the network, no record of the patient. */
  otherB: node('hosp-b', [B]),
  otherC: node('hosp-c', [C]),
  gateway: node('peer', [], { roles: ['gateway'], homeCommunityId: PEER }),
  otherGateway: node('peer2', [], { roles: ['gateway'], homeCommunityId: OTHER_PEER }),
  erB: node('hosp-b-er', [B], { breakGlass: ['EMERGENCY'] }),
  disasterB: node('hosp-b-dis', [B], { breakGlass: ['DISASTER'] }),
  disasterC: node('hosp-c-dis', [C], { breakGlass: ['DISASTER'] }),
};
type Requester = keyof typeof REQUESTERS;

const code = (scheme: string, value: string, codingScheme: string): Classification => ({
  ...emptyBase(`urn:uuid:c-${scheme}-${value}`),
  type: 'Classification',
  classificationScheme: scheme,
  classifiedObject: '',
  nodeRepresentation: value,
  slots: [{ name: 'codingScheme', values: [codingScheme] }],
});

function doc(uniqueId: string, facility: string | null, classifications: Classification[] = []): StoredEntry {
  const object: ExtrinsicObject = { ...emptyBase(`urn:uuid:${uniqueId}`), type: 'ExtrinsicObject', objectType: '', mimeType: 'text/plain', classifications };
  return { uuid: object.id, kind: 'DocumentEntry', lid: object.id, version: 1, status: 'Approved', personId: 1, object, facility, uniqueId, hash: null, size: null, repositoryUniqueId: null };
}

/** The patient's documents: the a* made by facility A, b1 by B. */
const DOCS = [
  doc('a-plain', A, [code(DocumentEntrySchemes.classCode, 'LAB', 'S')]),
  doc('a-psych', A, [code(DocumentEntrySchemes.practiceSettingCode, 'PSY', 'S')]),
  doc('a-secret', A, [code(DocumentEntrySchemes.confidentialityCode, 'R', 'CONF')]),
  doc('a-type', A, [code(DocumentEntrySchemes.typeCode, 'DISCHARGE', 'S')]),
  doc('a-class', A, [code(DocumentEntrySchemes.classCode, 'IMG', 'S')]),
  doc('b-own', B),
];
const ALL = DOCS.map((d) => d.uniqueId!);
const A_DOCS = ALL.filter((u) => u.startsWith('a-'));

const withheld = (w: Partial<Withheld>): Withheld => ({ ...emptyTerms().withheld, ...w });
const terms = (t: Partial<ConsentTerms>): ConsentTerms => ({ ...emptyTerms(), ...t });

interface Row {
  name: string;
  default?: 'opt-in' | 'opt-out';
  consent?: ConsentTerms;
  revoked?: boolean;
  requester: Requester;
  purpose?: string;
  disaster?: { facilities: string[]; start: string; end?: string };
  enabled?: boolean;
  visible: boolean;
  docs: string[];
  glass?: 'emergency' | 'disaster';
}

const optedIn = terms({ participation: 'opted-in' });
const withholdRow = (name: string, w: Partial<Withheld>, hidden: string[]): Row => ({
  name: `opted in, withholding ${name}: another facility sees all but that`,
  consent: terms({ participation: 'opted-in', withheld: withheld(w) }),
  requester: 'otherB',
  visible: true,
  docs: ALL.filter((u) => !hidden.includes(u)),
});

const ROWS: Row[] = [
  // consent off, the operator
  { name: 'consent disabled: everything', enabled: false, requester: 'otherB', visible: true, docs: ALL },
  { name: 'the operator (every facility) sees everything of a patient not enrolled', requester: 'operator', visible: true, docs: ALL },
  // no record x default
  { name: 'opt-in region, no record: another facility sees only its own', requester: 'otherB', visible: false, docs: ['b-own'] },
  { name: 'opt-in region, no record: the facility holding a record finds the patient, sees its own', requester: 'ownA', visible: true, docs: A_DOCS },
  { name: 'opt-out region, no record: another facility sees all', default: 'opt-out', requester: 'otherB', visible: true, docs: ALL },
  { name: 'opt-out region, no record: a peer region sees nothing', default: 'opt-out', requester: 'gateway', visible: false, docs: [] },
  // participation states x default
  { name: 'opt-in region, opted in: another facility sees all', consent: optedIn, requester: 'otherB', visible: true, docs: ALL },
  { name: 'opt-in region, not enrolled record: not shared', consent: terms({}), requester: 'otherB', visible: false, docs: ['b-own'] },
  { name: 'opt-out region, not enrolled record: shared', default: 'opt-out', consent: terms({}), requester: 'otherB', visible: true, docs: ALL },
  { name: 'opt-in region, opted out: not shared', consent: terms({ participation: 'opted-out' }), requester: 'otherB', visible: false, docs: ['b-own'] },
  { name: 'opt-out region, opted out: not shared', default: 'opt-out', consent: terms({ participation: 'opted-out' }), requester: 'otherB', visible: false, docs: ['b-own'] },
  { name: 'opted out: its own facility still sees its own documents', consent: terms({ participation: 'opted-out' }), requester: 'ownA', visible: true, docs: A_DOCS },
  // facilities
  { name: 'opted in for A and B: B sees all', consent: terms({ participation: 'opted-in', facilities: [A, B] }), requester: 'otherB', visible: true, docs: ALL },
  { name: 'opted in for A and B: C (disallowed) sees nothing', consent: terms({ participation: 'opted-in', facilities: [A, B] }), requester: 'otherC', visible: false, docs: [] },
  // peer regions
  { name: 'opted in with the peer region: its gateway sees all', consent: terms({ participation: 'opted-in', peerRegions: [PEER] }), requester: 'gateway', visible: true, docs: ALL },
  { name: 'opted in with the peer region: another region\'s gateway sees nothing', consent: terms({ participation: 'opted-in', peerRegions: [PEER] }), requester: 'otherGateway', visible: false, docs: [] },
  { name: 'opted in without peer regions: a gateway sees nothing', consent: optedIn, requester: 'gateway', visible: false, docs: [] },
  // validity and revocation
  { name: 'expired: not shared', consent: terms({ participation: 'opted-in', validUntil: '2026-01-01T00:00:00.000Z' }), requester: 'otherB', visible: false, docs: ['b-own'] },
  { name: 'not yet valid: not shared', consent: terms({ participation: 'opted-in', validFrom: '2027-01-01T00:00:00.000Z' }), requester: 'otherB', visible: false, docs: ['b-own'] },
  { name: 'within its validity period: shared', consent: terms({ participation: 'opted-in', validFrom: '2026-01-01T00:00:00.000Z', validUntil: '2027-01-01T00:00:00.000Z' }), requester: 'otherB', visible: true, docs: ALL },
  { name: 'revoked: not shared', consent: optedIn, revoked: true, requester: 'otherB', visible: false, docs: ['b-own'] },
  { name: 'revoked under opt-out: not shared', default: 'opt-out', consent: optedIn, revoked: true, requester: 'otherB', visible: false, docs: ['b-own'] },
  // each withheld kind
  withholdRow('a classCode', { classCodes: [{ code: 'IMG', codingScheme: 'S' }] }, ['a-class']),
  withholdRow('a classCode of another coding scheme (no match)', { classCodes: [{ code: 'IMG', codingScheme: 'OTHER' }] }, []),
  withholdRow('a typeCode', { typeCodes: [{ code: 'DISCHARGE', codingScheme: 'S' }] }, ['a-type']),
  withholdRow('a confidentialityCode', { confidentialityCodes: [{ code: 'R', codingScheme: 'CONF' }] }, ['a-secret']),
  withholdRow('a department (practiceSettingCode)', { practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }] }, ['a-psych']),
  withholdRow('a whole facility', { facilities: [A] }, A_DOCS),
  withholdRow('one document', { documents: ['a-plain'] }, ['a-plain']),
  {
    name: 'withholding a whole facility: that facility still sees its own',
    consent: terms({ participation: 'opted-in', withheld: withheld({ facilities: [A] }) }),
    requester: 'ownA',
    visible: true,
    docs: ALL,
  },
  // emergency
  { name: 'emergency from a node allowed for it: sees what is not shared', requester: 'erB', purpose: 'EMERGENCY', visible: true, docs: ALL, glass: 'emergency' },
  { name: 'another emergency purpose of the family (BTG): the EMERGENCY node sees it', requester: 'erB', purpose: 'BTG', visible: true, docs: ALL, glass: 'emergency' },
  { name: 'emergency from a node not allowed for it: nothing more', requester: 'otherB', purpose: 'EMERGENCY', visible: false, docs: ['b-own'] },
  {
    name: 'emergency: sees what is withheld',
    consent: terms({ participation: 'opted-in', withheld: withheld({ practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }] }) }),
    requester: 'erB',
    purpose: 'EMERGENCY',
    visible: true,
    docs: ALL,
    glass: 'emergency',
  },
  { name: 'emergency node, treatment purpose: consent as usual', requester: 'erB', purpose: 'TREATMENT', visible: false, docs: ['b-own'] },
  { name: 'emergency where consent shares everything: break-glass not used', consent: optedIn, requester: 'erB', purpose: 'EMERGENCY', visible: true, docs: ALL },
  // disaster
  { name: 'disaster inside the area and window: sees all', requester: 'disasterB', purpose: 'DISASTER', disaster: { facilities: [B], start: '2026-05-31T00:00:00.000Z' }, visible: true, docs: ALL, glass: 'disaster' },
  { name: 'disaster outside the area: nothing more', requester: 'disasterC', purpose: 'DISASTER', disaster: { facilities: [B], start: '2026-05-31T00:00:00.000Z' }, visible: false, docs: [] },
  {
    name: 'disaster after the window: nothing more',
    requester: 'disasterB',
    purpose: 'DISASTER',
    disaster: { facilities: [B], start: '2026-05-01T00:00:00.000Z', end: '2026-05-15T00:00:00.000Z' },
    visible: false,
    docs: ['b-own'],
  },
  { name: 'disaster purpose without a declared disaster: nothing more', requester: 'disasterB', purpose: 'DISASTER', visible: false, docs: ['b-own'] },
  { name: 'disaster declared, node not allowed for DISASTER: nothing more', requester: 'erB', purpose: 'DISASTER', disaster: { facilities: [B], start: '2026-05-31T00:00:00.000Z' }, visible: false, docs: ['b-own'] },
];

describe('ConsentService: the decision', () => {
  let store: Store;
  let personId: number;

  beforeEach(async () => {
    store = new SqliteStore({ path: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-consent-')), 'hie.db') });
    personId = await store.write(async (tx) => {
      await tx.identity.addDomain({ key: A, namespace: 'HOSP_A', oid: A, type: 'ISO', kind: 'local' });
      const p = await tx.identity.createPerson(null, { prefix: 'R' });
      await tx.identity.insertRecord({ domainKey: A, localId: 'L1', personId: p.id, demographics: { fields: {} }, birthDate: '', sex: '', keys: [] });
      return p.id;
    });
  });
  afterEach(() => store.close());

  for (const row of ROWS) {
    it(row.name, async () => {
      const svc = new ConsentService(
        { enabled: row.enabled ?? true, participationDefault: row.default ?? 'opt-in', emergencyPurposes: ['EMERGENCY', 'ETREAT', 'BTG'], disasterPurposes: ['DISASTER'] },
        () => NOW,
      );
      const by = { who: 'desk', source: { kind: 'desk' as const } };
      await store.write(async (tx) => {
        if (row.consent) await svc.set(tx, personId, row.consent, by);
        if (row.revoked) await svc.revoke(tx, personId, by);
        if (row.disaster) await svc.declareDisaster(tx, { description: 'earthquake', ...row.disaster }, 'admin');
      });
      const view = await store.read((tx) => svc.viewOf(tx, ctxOf(REQUESTERS[row.requester], row.purpose), personId));
      expect(view.patientVisible, 'patientVisible').to.equal(row.visible);
      expect(DOCS.filter((d) => view.document(d)).map((d) => d.uniqueId)).to.deep.equal(row.docs);
      expect(view.breakGlassUsed?.kind, 'breakGlassUsed').to.equal(row.glass);
    });
  }

  it('a survivor without a record of its own is governed by the consent of the person merged into it', async () => {
    const svc = new ConsentService({ enabled: true, participationDefault: 'opt-out', emergencyPurposes: [], disasterPurposes: [] }, () => NOW);
    const survivor = await store.write(async (tx) => {
      const s = await tx.identity.createPerson(null, { prefix: 'R' });
      await svc.set(tx, personId, terms({ participation: 'opted-out' }), { who: 'desk', source: { kind: 'desk' } });
      await tx.identity.mergePerson(personId, s.id);
      return s.id;
    });
    const view = await store.read((tx) => svc.viewOf(tx, ctxOf(REQUESTERS.otherB), survivor));
    expect(view.patientVisible).to.equal(false);
    expect(view.document(DOCS[0])).to.equal(false);
  });

  it('recordBreakGlass queues the patient notification in the outbox, and nothing without break-glass', async () => {
    const svc = new ConsentService({ enabled: true, participationDefault: 'opt-in', emergencyPurposes: ['EMERGENCY'], disasterPurposes: [] }, () => NOW);
    const ctx: RequestContext = {
      ...ctxOf(REQUESTERS.erB, 'EMERGENCY'),
      user: { id: 'dr.sato', name: 'Dr Sato', organization: 'Hospital B', issuer: 'idp', assertionId: '_a1' },
    };
    const plain = await store.read((tx) => svc.viewOf(tx, ctxOf(REQUESTERS.otherB), personId));
    await store.write((tx) => svc.recordBreakGlass(tx, ctxOf(REQUESTERS.otherB), plain, { transaction: 'ITI-18', items: [] }));
    expect(await store.read((tx) => tx.outbox.pendingCount(PATIENT_NOTIFICATIONS_CHANNEL))).to.equal(0);

    const view = await store.read((tx) => svc.viewOf(tx, ctx, personId));
    expect(view.document(DOCS[0])).to.equal(true);
    await store.write((tx) => svc.recordBreakGlass(tx, ctx, view, { transaction: 'ITI-43', items: ['a-plain'] }));
    const [m] = await store.read((tx) => tx.outbox.dueMessages(PATIENT_NOTIFICATIONS_CHANNEL, Date.now(), 10));
    const person = await store.read((tx) => tx.identity.person(personId));
    expect(m.destination).to.equal(person!.regionalId);
    const payload = JSON.parse(m.payload.toString('utf8'));
    expect(payload).to.deep.include({ type: 'break-glass', patient: person!.regionalId, access: 'emergency', purposeOfUse: 'EMERGENCY', transaction: 'ITI-43', seen: ['a-plain'] });
    expect(payload.requester).to.deep.equal({ node: 'hosp-b-er', facilities: [B], user: 'Dr Sato', organization: 'Hospital B' });
    expect(payload.at).to.equal(NOW.toISOString());
    // The same notification waits, unread, in the patient's own inbox (their console page).
    expect(await store.read((tx) => tx.consent.unreadNotifications([personId]))).to.equal(1);
    const [inbox] = await store.read((tx) => tx.consent.patientNotifications([personId], 10));
    expect(inbox).to.deep.include({ personId, at: NOW.toISOString(), kind: 'break-glass', readAt: null });
    expect(inbox!.body).to.deep.equal(payload);
  });

  it('names the patient record as what was seen when break-glass only found the patient', async () => {
    const svc = new ConsentService({ enabled: true, participationDefault: 'opt-in', emergencyPurposes: ['EMERGENCY'], disasterPurposes: [] }, () => NOW);
    const ctx = ctxOf(REQUESTERS.erB, 'EMERGENCY');
    const view = await store.read((tx) => svc.viewOf(tx, ctx, personId));
    expect(view.patientVisible).to.equal(true);
    expect(view.breakGlassUsed?.kind).to.equal('emergency');
    await store.write((tx) => svc.recordBreakGlass(tx, ctx, view, { transaction: 'ITI-9', items: [] }));
    const [m] = await store.read((tx) => tx.outbox.dueMessages(PATIENT_NOTIFICATIONS_CHANNEL, Date.now(), 10));
    expect(JSON.parse(m.payload.toString('utf8')).seen).to.deep.equal(['patient record']);
  });
});

describe('ConsentService: changes and history', () => {
  let store: Store;
  let personId: number;
  let t = Date.parse('2026-06-01T00:00:00Z');
  const svc = new ConsentService({ enabled: true, participationDefault: 'opt-in', emergencyPurposes: [], disasterPurposes: [] }, () => new Date((t += 1000)));

  beforeEach(async () => {
    store = new SqliteStore({ path: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-consent-')), 'hie.db') });
    personId = await store.write(async (tx) => (await tx.identity.createPerson(null, { prefix: 'R' })).id);
  });
  afterEach(() => store.close());

  it('keeps every change with who, when, the source and what changed', async () => {
    await store.write((tx) => svc.set(tx, personId, terms({ participation: 'opted-in', facilities: [A] }), { who: 'hosp-a', source: { kind: 'bppc', document: '1.2.3.99' } }, 'bppc'));
    await store.write((tx) => svc.withhold(tx, personId, { practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }] }, { who: 'admin-node', source: { kind: 'admin' } }));
    await store.write((tx) => svc.withhold(tx, personId, { practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }], documents: ['9.9'] }, { who: 'admin-node', source: { kind: 'admin' } }));
    await store.write((tx) => svc.revoke(tx, personId, { who: 'clerk', source: { kind: 'desk' } }));
    const h = await store.read((tx) => svc.history(tx, personId));
    expect(h.map((c) => [c.action, c.who, c.source.kind, c.consent.version])).to.deep.equal([
      ['bppc', 'hosp-a', 'bppc', 1],
      ['withhold', 'admin-node', 'admin', 2],
      ['withhold', 'admin-node', 'admin', 3],
      ['revoke', 'clerk', 'desk', 4],
    ]);
    expect(h[0].source.document).to.equal('1.2.3.99');
    expect(h[0].changes).to.deep.equal(['participation: not-enrolled -> opted-in', `facilities: [] -> [${A}]`]);
    expect(h[2].changes, 'a code already withheld is kept once').to.deep.equal(['withheld.documents: [] -> [9.9]']);
    expect(h[3].changes[0]).to.match(/^revokedAt: - -> 2026-/);
    const current = await store.read((tx) => svc.current(tx, personId));
    expect(current!.withheld.practiceSettingCodes).to.deep.equal([{ code: 'PSY', codingScheme: 'S' }]);
    expect(current!.revokedAt).to.be.a('string');
  });

  it('a new consent lifts a revocation; revoking twice or without a consent is refused', async () => {
    const by = { who: 'clerk', source: { kind: 'desk' as const } };
    await store.write((tx) => svc.revoke(tx, personId, by)).then(
      () => expect.fail('revoked nothing'),
      (e: Error) => expect(e.message).to.match(/no consent to revoke/),
    );
    await store.write((tx) => svc.set(tx, personId, terms({ participation: 'opted-in' }), by));
    await store.write((tx) => svc.revoke(tx, personId, by));
    await store.write((tx) => svc.revoke(tx, personId, by)).then(
      () => expect.fail('revoked twice'),
      (e: Error) => expect(e.message).to.match(/already revoked/),
    );
    await store.write((tx) => svc.set(tx, personId, terms({ participation: 'opted-in' }), by));
    expect((await store.read((tx) => svc.current(tx, personId)))!.revokedAt).to.equal(undefined);
  });

  it('declares, lists and ends disasters; refuses one without an area or ending before it starts', async () => {
    const d = await store.write((tx) => svc.declareDisaster(tx, { description: 'flood', facilities: [A, B] }, 'admin'));
    expect(d).to.include({ description: 'flood', declaredBy: 'admin' });
    expect(await store.read((tx) => svc.disasters(tx))).to.have.length(1);
    const ended = await store.write((tx) => svc.endDisaster(tx, d.id));
    expect(ended.endedAt).to.be.a('string');
    await store.write((tx) => svc.endDisaster(tx, 999)).then(
      () => expect.fail('ended an unknown disaster'),
      (e: Error) => expect(e.message).to.equal('no disaster 999'),
    );
    await store.write((tx) => svc.declareDisaster(tx, { description: 'x', facilities: [] }, 'admin')).then(
      () => expect.fail('no area'),
      (e: Error) => expect(e.message).to.match(/area/),
    );
    await store
      .write((tx) => svc.declareDisaster(tx, { description: 'x', facilities: [A], start: '2026-07-01T00:00:00.000Z', end: '2026-06-01T00:00:00.000Z' }, 'admin'))
      .then(
        () => expect.fail('ends before it starts'),
        (e: Error) => expect(e.message).to.match(/not after its start/),
      );
  });
});

describe('ConsentService: the audit trail', () => {
  it('is read by auditors only, whatever their facilities; others are told why', () => {
    const svc = new ConsentService({ enabled: true, participationDefault: 'opt-in', emergencyPurposes: ['EMERGENCY'], disasterPurposes: ['DISASTER'] });
    expect(svc.auditTrailRefusal(ctxOf(node('auditor-node', ['1.2.392.999.1'], { roles: ['auditor'] })))).to.equal(undefined);
    expect(svc.auditTrailRefusal(ctxOf(node('operator', '*', { roles: ['auditor', 'admin'] })))).to.equal(undefined);
    expect(svc.auditTrailRefusal(ctxOf(node('hosp-a', '*', { roles: ['source', 'consumer', 'admin'] })))).to.equal('hosp-a does not have the role auditor');
    expect(svc.auditTrailRefusal({ transport: 'http', address: '192.0.2.9' })).to.equal('192.0.2.9 does not have the role auditor');
  });
});
