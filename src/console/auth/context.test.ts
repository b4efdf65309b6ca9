import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { emptyBase, type Classification, type ExtrinsicObject } from '../../ebxml/rim.ts';
import { emptyTerms, type ConsentTerms } from '../../consent/model.ts';
import { ConsentService } from '../../consent/service.ts';
import { SqliteStore } from '../../store/sqlite/sqliteStore.ts';
import type { Store } from '../../store/types.ts';
import type { StoredEntry } from '../../xds/registry/entries.ts';
import { DocumentEntrySchemes } from '../../xds/registry/schemes.ts';
import { consoleContext } from './context.ts';
import type { SessionUser } from './sessions.ts';

const A = '1.2.3.1';
const B = '1.2.3.2';
const NOW = new Date('2026-06-01T00:00:00Z');

function doc(uniqueId: string, facility: string, classCode: string): StoredEntry {
  const c: Classification = { ...emptyBase(`urn:uuid:c-${uniqueId}`), type: 'Classification', classificationScheme: DocumentEntrySchemes.classCode, classifiedObject: '', nodeRepresentation: classCode, slots: [{ name: 'codingScheme', values: ['S'] }] };
  const object: ExtrinsicObject = { ...emptyBase(`urn:uuid:${uniqueId}`), type: 'ExtrinsicObject', objectType: '', mimeType: 'text/plain', classifications: [c] };
  return { uuid: object.id, kind: 'DocumentEntry', lid: object.id, version: 1, status: 'Approved', personId: 1, object, facility, uniqueId, hash: null, size: null, repositoryUniqueId: null };
}
const DOCS = [doc('lab', A, 'LAB'), doc('psy', A, 'PSY'), doc('b', B, 'LAB')];

const user = (role: SessionUser['role'], patient?: string): SessionUser =>
  role === 'patient' ? { kind: 'patient', name: patient!, displayName: patient!, role, patient } : { kind: 'operator', name: role, displayName: role, role };
const base = { transport: 'http' as const, address: '127.0.0.1' };

describe('console: what an operator and a patient see is decided by consent, not bypassed', () => {
  let store: Store;
  let person: { id: number; regionalId: string };
  let other: { id: number; regionalId: string };
  const svc = new ConsentService({ enabled: true, participationDefault: 'opt-in', emergencyPurposes: ['EMERGENCY'], disasterPurposes: [] }, () => NOW);
  const by = { who: 'desk', source: { kind: 'desk' as const } };

  beforeEach(async () => {
    store = new SqliteStore({ path: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-console-ctx-')), 'hie.db') });
    [person, other] = await store.write(async (tx) => {
      await tx.identity.addDomain({ key: A, namespace: 'HOSP_A', oid: A, type: 'ISO', kind: 'local' });
      const out = [];
      for (const id of ['L1', 'L2']) {
        const p = await tx.identity.createPerson(null, { prefix: 'R' });
        await tx.identity.insertRecord({ domainKey: A, localId: id, personId: p.id, demographics: { fields: {} }, birthDate: '', sex: '', keys: [] });
        out.push({ id: p.id, regionalId: p.regionalId });
      }
      return out as [typeof person, typeof person];
    });
  });
  afterEach(() => store.close());

  const seen = async (role: SessionUser['role'], consent?: ConsentTerms, patient?: string, personId = person.id) => {
    if (consent) await store.write((tx) => svc.set(tx, personId, consent, by));
    const ctx = consoleContext(base, user(role, patient));
    const view = await store.read((tx) => svc.viewOf(tx, ctx, personId));
    return { visible: view.patientVisible, docs: DOCS.filter((d) => view.document(d)).map((d) => d.uniqueId) };
  };
  const terms = (t: Partial<ConsentTerms>): ConsentTerms => ({ ...emptyTerms(), ...t });

  it('acts for no facility: the console is not the operator\'s every-facility node', () => {
    const ctx = consoleContext(base, user('admin'));
    expect(ctx.node!.facilities).to.deep.equal([]);
    expect(ctx.node!.network).to.equal(true);
  });

  it('an operator finds a patient never enrolled (to link, merge, record consent) but sees none of their documents', async () => {
    expect(await seen('operator')).to.deep.equal({ visible: true, docs: [] });
    expect(await seen('admin')).to.deep.equal({ visible: true, docs: [] });
  });

  it('a viewer (no identity administration) does not even find a patient never enrolled', async () => {
    expect(await seen('viewer')).to.deep.equal({ visible: false, docs: [] });
  });

  it('an operator sees what a consent shared with the whole network shares, not what it withholds', async () => {
    const withheld = { ...emptyTerms().withheld, classCodes: [{ code: 'PSY', codingScheme: 'S' }] };
    expect(await seen('viewer', terms({ participation: 'opted-in', withheld }))).to.deep.equal({ visible: true, docs: ['lab', 'b'] });
  });

  it('an operator sees nothing of a patient who opted out, or who shares with named facilities only', async () => {
    expect(await seen('operator', terms({ participation: 'opted-out' }))).to.deep.equal({ visible: true, docs: [] });
    expect(await seen('operator', terms({ participation: 'opted-in', facilities: [A] }))).to.deep.equal({ visible: true, docs: [] });
  });

  it('a patient sees their own records whole (what they withhold from others too), and nobody else\'s', async () => {
    const withheld = { ...emptyTerms().withheld, classCodes: [{ code: 'PSY', codingScheme: 'S' }] };
    expect(await seen('patient', terms({ participation: 'opted-out', withheld }), person.regionalId)).to.deep.equal({ visible: true, docs: ['lab', 'psy', 'b'] });
    expect(await seen('patient', terms({ participation: 'opted-in' }), person.regionalId, other.id)).to.deep.equal({ visible: false, docs: [] });
  });
});
