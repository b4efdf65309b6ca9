/**
 * The one behaviour suite every store engine runs (SQLite now, PostgreSQL later): the same cases,
 * against a fresh store from `open`, reopened on the same data by `reopen`.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { DemographicQuery, Demographics, Domain, SearchCursor } from '../identity/types.ts';
import { StoreConstraintError } from './errors.ts';
import type { AuditRecord, AuditSearch, Store, StoredAuditRecord } from './types.ts';

export interface StoreFactory {
  open(): Promise<Store>;
  /** A second store on the same data (after the first was closed). */
  reopen(): Promise<Store>;
}

const HOSP: Domain = { key: '1.2.3', namespace: 'HOSP', oid: '1.2.3', type: 'ISO', kind: 'local' };
const demo = (family: string, dob = '19700101'): Demographics => ({ fields: { 5: [[[family], ['TARO']]], 7: [[[dob]]], 8: [[['M']]] } });

export function storeSuite(engine: string, factory: StoreFactory): void {
  describe(`store behaviour (${engine})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close().catch(() => undefined);
    });

    const addRecord = (personId: number, localId: string, family: string, dob?: string) =>
      store.write(async (tx) => {
        await tx.identity.addDomain(HOSP);
        return tx.identity.insertRecord({
          domainKey: HOSP.key,
          localId,
          personId,
          demographics: demo(family, dob),
          birthDate: dob ?? '19700101',
          sex: 'M',
          keys: [{ kind: 'family', key: family }],
        });
      });

    it('commits a write and keeps it across a reopen', async () => {
      const p = await store.write((tx) => tx.identity.createPerson('TOKEN1', { prefix: 'R' }));
      expect(p.regionalId).to.equal('R0000000001');
      const fed = await store.write((tx) => tx.identity.createPerson(null, { id: 'R0000000002' }));
      expect(fed.regionalId).to.equal('R0000000002');
      const next = await store.write((tx) => tx.identity.createPerson(null, { prefix: 'R' }));
      expect(next.regionalId, 'a generated ID skips one a source fed').to.equal('R0000000003');
      await addRecord(p.id, 'L1', 'YAMADA');
      await store.close();
      store = await factory.reopen();
      const rec = await store.read((tx) => tx.identity.record(HOSP.key, 'L1'));
      expect(rec!.personId).to.equal(p.id);
      expect(rec!.demographics).to.deep.equal(demo('YAMADA'));
      expect((await store.read((tx) => tx.identity.personByToken('TOKEN1')))!.id).to.equal(p.id);
    });

    it('keeps nothing of a write that fails part way', async () => {
      const failing = store.write(async (tx) => {
        const p = await tx.identity.createPerson(null, { prefix: 'R' });
        await tx.identity.addDomain(HOSP);
        await tx.identity.insertRecord({ domainKey: HOSP.key, localId: 'L2', personId: p.id, demographics: demo('X'), birthDate: '', sex: '', keys: [] });
        throw new Error('boom');
      });
      const error = await failing.then(() => undefined, (e: Error) => e);
      expect(error?.message).to.equal('boom');
      expect(await store.read((tx) => tx.identity.record(HOSP.key, 'L2'))).to.equal(undefined);
      expect(await store.read((tx) => tx.identity.domains())).to.deep.equal([]);
    });

    it('isolates requests committed together: one failing leaves the others whole', async () => {
      const results = await Promise.allSettled([
        store.write((tx) => tx.identity.createPerson('A', { prefix: 'R' })),
        store.write(async (tx) => {
          await tx.identity.createPerson('B', { prefix: 'R' });
          throw new Error('no');
        }),
        store.write((tx) => tx.identity.createPerson('C', { prefix: 'R' })),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
      const got = await store.read(async (tx) => [await tx.identity.personByToken('A'), await tx.identity.personByToken('B'), await tx.identity.personByToken('C')]);
      expect(got.map((p) => !!p)).to.deep.equal([true, false, true]);
    });

    it('rejects a write that breaks a uniqueness rule with StoreConstraintError, keeping nothing of it', async () => {
      await store.write((tx) => tx.identity.createPerson('DUP', { prefix: 'R' }));
      const error = await store
        .write(async (tx) => {
          await tx.identity.addDomain(HOSP);
          await tx.identity.createPerson('DUP', { prefix: 'R' });
        })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(error).to.be.instanceOf(StoreConstraintError);
      expect(await store.read((tx) => tx.identity.domains())).to.deep.equal([]);
    });

    it('searches records by exact and prefix keys, birth date and sex, each record once', async () => {
      const p = await store.write((tx) => tx.identity.createPerson(null, { prefix: 'R' }));
      const a = await addRecord(p.id, 'S1', 'ヤマダ', '19700101');
      const b = await addRecord(p.id, 'S2', 'ヤマモト', '19800101');
      const c = await addRecord(p.id, 'S3', 'タナカ', '19700101');
      const search = (q: DemographicQuery, limit = 10, after?: SearchCursor) =>
        store.read((tx) => tx.identity.searchRecords(q, limit, after));
      const prefix = await search({ keys: [{ kind: 'family', key: 'ヤマ', prefix: true }] });
      expect(prefix.matches.map((m) => m.recordId)).to.deep.equal([a.id, b.id]);
      expect(prefix.next, 'fewer rows than the limit: the end').to.equal(undefined);
      expect((await search({ keys: [{ kind: 'family', key: 'ヤマ', prefix: false }] })).matches).to.deep.equal([]);
      const dob = await search({ keys: [{ kind: 'family', key: 'ヤマ', prefix: true }], birthDate: '19700101', sex: 'M' });
      expect(dob.matches.map((m) => m.recordId)).to.deep.equal([a.id]);
      expect((await search({ keys: [], birthDate: '1970' })).matches).to.have.length(2);
      // page by page, in order, nothing twice
      const first = await search({ keys: [{ kind: 'family', key: 'ヤマ', prefix: true }] }, 1);
      expect(first.matches.map((m) => m.recordId)).to.deep.equal([a.id]);
      const second = await search({ keys: [{ kind: 'family', key: 'ヤマ', prefix: true }] }, 1, first.next);
      expect(second.matches.map((m) => m.recordId)).to.deep.equal([b.id]);
      const third = await search({ keys: [{ kind: 'family', key: 'ヤマ', prefix: true }] }, 1, second.next);
      expect(third.matches).to.deep.equal([]);
      expect(third.next).to.equal(undefined);
      const byDate = await search({ keys: [], birthDate: '1970' }, 1);
      const byDate2 = await search({ keys: [], birthDate: '1970' }, 1, byDate.next);
      expect([...byDate.matches, ...byDate2.matches].map((m) => m.recordId)).to.have.length(2);
      // A key with OR alternatives (PDQm lists): any of them, driving or not, page by page.
      const either = { kind: 'family' as const, key: 'ヤマダ', prefix: false, or: [{ key: 'タナ', prefix: true }] };
      expect((await search({ keys: [either] })).matches.map((m) => m.recordId)).to.have.members([a.id, c.id]);
      expect((await search({ keys: [either], birthDate: '19700101' })).matches.map((m) => m.recordId)).to.have.members([a.id, c.id]);
      expect((await search({ keys: [{ kind: 'family', key: 'ヤマ', prefix: true }, { ...either, or: [{ key: 'ヤマモト', prefix: false }] }] })).matches.map((m) => m.recordId)).to.have.members([a.id, b.id]);
      const one = await search({ keys: [either] }, 1);
      const two = await search({ keys: [either] }, 1, one.next);
      expect([...one.matches, ...two.matches].map((m) => m.recordId)).to.have.members([a.id, c.id]);
    });

    it('finds match candidates by birth date and a shared name key, other persons only', async () => {
      const [p1, p2, p3] = await store.write(async (tx) => [
        await tx.identity.createPerson(null, { prefix: 'R' }),
        await tx.identity.createPerson(null, { prefix: 'R' }),
        await tx.identity.createPerson(null, { prefix: 'R' }),
      ]);
      const withName = (personId: number, localId: string, name: string, dob: string) =>
        store.write(async (tx) => {
          await tx.identity.addDomain(HOSP);
          return tx.identity.insertRecord({ domainKey: HOSP.key, localId, personId, demographics: demo(name, dob), birthDate: dob, sex: 'M', keys: [{ kind: 'name', key: name }] });
        });
      await withName(p1.id, 'C1', 'ヤマダタロウ', '19700101');
      const same = await withName(p2.id, 'C2', 'ヤマダタロウ', '19700101');
      await withName(p2.id, 'C3', 'ヤマダタロウ', '19800101');
      await withName(p3.id, 'C4', 'スズキ', '19700101');
      const found = await store.read((tx) => tx.identity.matchCandidates('19700101', ['ヤマダタロウ', 'ナイ'], p1.id, 10));
      expect(found.map((r) => r.id)).to.deep.equal([same.id]);
      const other = await withName(p3.id, 'C5', 'ヤマダハナコ', '19700101');
      const both = await store.read((tx) => tx.identity.matchCandidates('19700101', ['ヤマダハナコ', 'ヤマダタロウ'], p1.id, 10));
      expect(both.map((r) => r.id), 'any of the names, in record order').to.deep.equal([same.id, other.id]);
      const first = await store.read((tx) => tx.identity.matchCandidates('19700101', ['ヤマダハナコ', 'ヤマダタロウ'], p1.id, 1));
      expect(first.map((r) => r.id), 'at most the limit').to.deep.equal([same.id]);
      expect(await store.read((tx) => tx.identity.matchCandidates('19700101', [], p1.id, 10))).to.deep.equal([]);
    });

    it('merges records and persons', async () => {
      const [p1, p2] = await store.write(async (tx) => [await tx.identity.createPerson(null, { prefix: 'R' }), await tx.identity.createPerson(null, { prefix: 'R' })]);
      const r1 = await addRecord(p1.id, 'M1', 'A');
      const r2 = await addRecord(p2.id, 'M2', 'B');
      await store.write((tx) => tx.identity.mergePerson(p2.id, p1.id));
      expect((await store.read((tx) => tx.identity.recordsOfPerson(p1.id))).map((r) => r.id)).to.deep.equal([r1.id, r2.id]);
      expect((await store.read((tx) => tx.identity.person(p2.id)))!.mergedInto).to.equal(p1.id);
      await store.write((tx) => tx.identity.mergeRecord(r2.id, r1.id));
      expect((await store.read((tx) => tx.identity.recordById(r2.id)))!.mergedInto).to.equal(r1.id);
      expect((await store.read((tx) => tx.identity.recordsOfPerson(p1.id))).map((r) => r.id)).to.deep.equal([r1.id]);
      const found = await store.read((tx) => tx.identity.searchRecords({ keys: [{ kind: 'family', key: 'B', prefix: false }] }, 10));
      expect(found.matches, 'a merged record is not found by its own keys').to.deep.equal([]);
      expect((await store.read((tx) => tx.identity.recordsOfPersonEver(p1.id))).map((r) => r.id), 'merged records too').to.deep.equal([r1.id, r2.id]);
      const p3 = await store.write((tx) => tx.identity.createPerson(null, { prefix: 'R' }));
      const r3 = await addRecord(p3.id, 'M3', 'C');
      await store.write((tx) => tx.identity.mergeRecord(r3.id, r1.id));
      await store.write((tx) => tx.identity.mergePerson(p3.id, p2.id));
      expect((await store.read((tx) => tx.identity.recordsOfPersonEver(p1.id))).map((r) => r.id), 'through a chain of merged persons').to.deep.equal([r1.id, r2.id, r3.id]);
      expect((await store.read((tx) => tx.identity.personsMergedInto(p1.id))).map((p) => p.id)).to.deep.equal([p2.id, p3.id]);
    });

    it('keeps each merge in a history and undoes exactly what it changed', async () => {
      const [p1, p2, p3] = await store.write(async (tx) => [
        await tx.identity.createPerson(null, { prefix: 'R' }),
        await tx.identity.createPerson(null, { prefix: 'R' }),
        await tx.identity.createPerson(null, { prefix: 'R' }),
      ]);
      const r1 = await addRecord(p1.id, 'U1', 'A');
      const r2 = await addRecord(p2.id, 'U2', 'B');
      const r2b = await addRecord(p2.id, 'U2B', 'BB');
      const r3 = await addRecord(p3.id, 'U3', 'C');
      // p3 was merged into p2 earlier, and r3 into r2: both follow p2 and r2 into p1 and r1.
      await store.write(async (tx) => {
        await tx.identity.mergePerson(p3.id, p2.id);
        await tx.identity.mergeRecord(r3.id, r2.id);
      });
      const [pm, rm] = await store.write(async (tx) => {
        const pm = await tx.identity.mergePerson(p2.id, p1.id);
        return [pm, await tx.identity.mergeRecord(r2.id, r1.id, pm)];
      });
      const personMerge = (await store.read((tx) => tx.identity.lastMerge('person', p2.id)))!;
      expect(personMerge).to.include({ id: pm, kind: 'person', fromId: p2.id, intoId: p1.id, undoneAt: null, personMergeId: null });
      expect(personMerge.moved).to.deep.equal([r2.id, r2b.id, r3.id]);
      expect(personMerge.redirected).to.deep.equal([p3.id]);
      const recordMerge = (await store.read((tx) => tx.identity.lastMerge('record', r2.id)))!;
      expect(recordMerge).to.include({ id: rm, kind: 'record', fromId: r2.id, intoId: r1.id, priorPersonId: p1.id, personMergeId: pm });
      expect(recordMerge.redirected).to.deep.equal([r3.id]);
      expect(await store.read((tx) => tx.identity.mergeEvent(rm))).to.deep.equal(recordMerge);
      expect((await store.read((tx) => tx.identity.person(p3.id)))!.mergedInto).to.equal(p1.id);

      await store.write(async (tx) => {
        await tx.identity.undoMerge(rm, '2026-06-01T00:00:00.000Z', 'wrong patient');
        await tx.identity.undoMerge(pm, '2026-06-01T00:00:00.000Z', 'wrong patient');
      });
      const rec = (id: number) => store.read(async (tx) => (await tx.identity.recordById(id))!);
      expect(await rec(r2.id)).to.include({ personId: p2.id, mergedInto: null });
      expect(await rec(r2b.id)).to.include({ personId: p2.id, mergedInto: null });
      expect(await rec(r3.id), 'a record merged into the prior one follows it back').to.include({ personId: p2.id, mergedInto: r2.id });
      expect(await rec(r1.id)).to.include({ personId: p1.id, mergedInto: null });
      expect((await store.read((tx) => tx.identity.person(p2.id)))!.mergedInto).to.equal(null);
      expect((await store.read((tx) => tx.identity.person(p3.id)))!.mergedInto, 'redirected back').to.equal(p2.id);
      expect((await store.read((tx) => tx.identity.recordsOfPerson(p1.id))).map((r) => r.id)).to.deep.equal([r1.id]);
      expect((await store.read((tx) => tx.identity.recordsOfPerson(p2.id))).map((r) => r.id)).to.deep.equal([r2.id, r2b.id]);
      expect(await store.read((tx) => tx.identity.lastMerge('record', r2.id)), 'undone merges are not the last').to.equal(undefined);
      expect(await store.read((tx) => tx.identity.mergeEvent(rm))).to.include({ undoneAt: '2026-06-01T00:00:00.000Z', undoReason: 'wrong patient' });
      expect((await store.read((tx) => tx.identity.lastMerge('record', r3.id)))!.intoId, 'the earlier merge stays').to.equal(r2.id);
    });

    it('keeps link proposals once per pair, and their decisions', async () => {
      const [p1, p2] = await store.write(async (tx) => [await tx.identity.createPerson(null, { prefix: 'R' }), await tx.identity.createPerson(null, { prefix: 'R' })]);
      const r1 = await addRecord(p1.id, 'LP1', 'A');
      const first = await store.write((tx) => tx.identity.addProposal({ recordId: r1.id, candidatePersonId: p2.id, score: 0.9, reasons: ['birthDate'] }));
      const again = await store.write((tx) => tx.identity.addProposal({ recordId: r1.id, candidatePersonId: p2.id, score: 0.9, reasons: ['birthDate'] }));
      expect(first!.status).to.equal('pending');
      expect(again).to.equal(undefined);
      await store.write((tx) => tx.identity.decideProposal(first!.id, 'rejected'));
      expect(await store.read((tx) => tx.identity.proposals('pending'))).to.deep.equal([]);
      expect((await store.read((tx) => tx.identity.proposal(first!.id)))!.status).to.equal('rejected');
    });

    it('pages link proposals by id, with a bound', async () => {
      const people = await store.write(async (tx) => Promise.all([0, 1, 2, 3].map(() => tx.identity.createPerson(null, { prefix: 'R' }))));
      const rec = await addRecord(people[0]!.id, 'LPP', 'A');
      const made: { id: number }[] = [];
      for (const p of people.slice(1)) made.push((await store.write((tx) => tx.identity.addProposal({ recordId: rec.id, candidatePersonId: p.id, score: 0.9, reasons: ['birthDate'] })))!);
      await store.write((tx) => tx.identity.decideProposal(made[0]!.id, 'rejected'));
      const first = await store.read((tx) => tx.identity.proposals(undefined, { limit: 2, after: made[0]!.id - 1 }));
      expect(first.map((p) => p.id)).to.deep.equal([made[0]!.id, made[1]!.id]);
      const next = await store.read((tx) => tx.identity.proposals('pending', { limit: 2, after: made[1]!.id }));
      expect(next.map((p) => p.id)).to.deep.equal([made[2]!.id]);
      expect((await store.read((tx) => tx.identity.proposals('pending', { limit: 1 }))).map((p) => p.id)).to.have.length(1);
    });

    it('appends audit events findable by type and patient', async () => {
      await store.write((tx) =>
        tx.audit.appendAudit({ eventTime: '2024-01-01T00:00:00Z', eventId: '110110', eventTypeCode: 'ITI-8', action: 'C', outcome: 0, origin: 'self', xml: '<AuditMessage/>', patientIds: ['1^^^X', '1^^^X'] }),
      );
      const byPatient = await store.read((tx) => tx.audit.auditEvents({ patientId: '1^^^X' }));
      expect(byPatient).to.have.length(1);
      expect(byPatient[0].patientIds).to.deep.equal(['1^^^X']);
      expect(await store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-9' }))).to.deep.equal([]);
    });

    describe('audit repository (ATNA)', () => {
      const event = (over: Partial<AuditRecord> = {}): AuditRecord => ({
        eventTime: '2024-01-01T00:00:00.000Z',
        eventId: '110112',
        eventTypeCode: 'ITI-9',
        action: 'E',
        outcome: 0,
        origin: 'syslog-tls 10.0.0.1',
        xml: '<AuditMessage/>',
        patientIds: [],
        transport: 'syslog-tls',
        sourceId: 'EHR_A',
        ...over,
      });
      const search = (q: Partial<AuditSearch>) => store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 100, ...q }));
      const ids = (rs: StoredAuditRecord[]) => rs.map((r) => r.id);

      it('finds received events by every indexed field, alternatives within a criterion, all criteria together', async () => {
        const [a, b, c] = await store.write(async (tx) => [
          await tx.audit.appendAudit(
            event({
              patientIds: ['P1^^^HOSP_A&1.2.3&ISO'],
              moreEventTypeCodes: ['IHE0006'],
              agents: [{ userId: 'HOSP_A|EHR', userName: 'Dr Sato', altUserId: '42', networkAccessPoint: '10.0.0.1', requestor: true }],
              objects: [{ id: 'P1^^^HOSP_A&1.2.3&ISO', typeCode: 1, roleCode: 1, idTypeCode: '2' }],
            }),
          ),
          await tx.audit.appendAudit(
            event({
              eventTime: '2024-02-01T00:00:00.000Z',
              eventId: '110110',
              eventTypeCode: 'ITI-8',
              action: 'C',
              outcome: 4,
              sourceId: 'EHR_B',
              patientIds: ['P1^^^&1.2.3&ISO'],
              agents: [{ userId: 'HOSP_B|ADT', userName: '', altUserId: '', networkAccessPoint: '10.0.0.2', requestor: true }],
              objects: [{ id: 'Q-1', typeCode: 2, roleCode: 24, idTypeCode: 'ITI-9' }],
            }),
          ),
          await tx.audit.appendAudit(event({ status: 'unparsed', error: 'not XML', raw: Buffer.from('garbage'), eventId: '', eventTypeCode: '', outcome: -1 })),
        ]);
        expect(ids(await search({}))).to.deep.equal([a, b]);
        expect(ids(await search({ time: [{ op: 'ge', instant: '2024-01-15T00:00:00.000Z' }] }))).to.deep.equal([b]);
        expect(ids(await search({ time: [{ op: 'lt', instant: '2024-01-15T00:00:00.000Z' }] }))).to.deep.equal([a]);
        expect(ids(await search({ eventId: [['110110']] }))).to.deep.equal([b]);
        expect(ids(await search({ eventTypeCode: [['IHE0006']] })), 'a second EventTypeCode').to.deep.equal([a]);
        expect(ids(await search({ eventTypeCode: [['ITI-8', 'ITI-9']] }))).to.deep.equal([a, b]);
        expect(ids(await search({ eventTypeCode: [['ITI-8'], ['ITI-9']] })), 'criteria all apply').to.deep.equal([]);
        expect(ids(await search({ action: [['C']] }))).to.deep.equal([b]);
        expect(ids(await search({ outcome: [[4, 8]] }))).to.deep.equal([b]);
        expect(ids(await search({ sourceId: [['EHR_A']] }))).to.deep.equal([a]);
        expect(ids(await search({ address: [['10.0.0.2']] }))).to.deep.equal([b]);
        expect(ids(await search({ agent: [['Dr Sato']] })), 'by UserName').to.deep.equal([a]);
        expect(ids(await search({ agent: [['HOSP_B|ADT']] })), 'by UserID').to.deep.equal([b]);
        expect(ids(await search({ objectType: [[2]], objectRole: [[24]] }))).to.deep.equal([b]);
        expect(ids(await search({ objectId: [['Q-1']] }))).to.deep.equal([b]);
        expect(ids(await search({ patient: [[{ value: 'P1', oid: '1.2.3' }]] })), 'either CX spelling').to.deep.equal([a, b]);
        expect(ids(await search({ patient: [[{ value: 'P1', namespace: 'HOSP_A' }]] }))).to.deep.equal([a]);
        expect(ids(await search({ patient: [[{ value: 'P1' }]] }))).to.deep.equal([a, b]);
        expect(ids(await search({ patient: [[{ value: 'P1', oid: '9.9' }]] }))).to.deep.equal([]);
        expect(await store.read((tx) => tx.audit.countAudit({ sort: 'date', limit: 1, patient: [[{ value: 'P1' }]] }))).to.equal(2);
        const ofPatient = await store.read((tx) => tx.audit.auditEventsOfPatients([{ value: 'P1', oid: '1.2.3', namespace: 'HOSP_A' }], 10));
        expect(ids(ofPatient)).to.deep.equal([a, b]);
        const rejected = await store.read((tx) => tx.audit.auditEvents({ status: 'unparsed' }));
        expect(rejected.map((r) => [r.id, r.error, r.raw?.toString()])).to.deep.equal([[c, 'not XML', 'garbage']]);
      });

      it('keeps an event whose fields are 10 kB long or hold NUL, raw with its error, and finds it by them', async () => {
        // Incompressible, so that no engine can shrink the value into an index entry.
        const long = (tag: string) => tag + randomBytes(7500).toString('base64');
        const [code, type, user, patient, object] = ['E', 'T', 'U', 'P', 'O'].map(long);
        const raw = Buffer.from('<AuditMessage>\0</AuditMessage>', 'utf8');
        const id = await store.write((tx) =>
          tx.audit.appendAudit(
            event({
              eventId: code,
              eventTypeCode: 'ITI\0-9',
              moreEventTypeCodes: [type],
              status: 'invalid',
              error: 'NUL\0 in the message',
              raw,
              xml: raw,
              origin: 'syslog-tls 10.0.0.1 CN=evil\0.example',
              patientIds: [`${patient}^^^HOSP_A&1.2.3&ISO`],
              agents: [{ userId: user, userName: 'Dr\0Sato', altUserId: '', networkAccessPoint: '10.0.0.1', requestor: true }],
              objects: [{ id: object, typeCode: 2, roleCode: 24, idTypeCode: 'ITI-9' }],
            }),
          ),
        );
        const stored = (await store.read((tx) => tx.audit.auditEvent(id)))!;
        expect(stored.raw, 'the bytes as received').to.deep.equal(raw);
        expect([stored.status, stored.error, stored.xml, stored.eventId, stored.eventTypeCode, stored.origin]).to.deep.equal([
          'invalid',
          'NUL\uFFFD in the message',
          '<AuditMessage>\uFFFD</AuditMessage>',
          code,
          'ITI\uFFFD-9',
          'syslog-tls 10.0.0.1 CN=evil\uFFFD.example',
        ]);
        expect(stored.patientIds).to.deep.equal([`${patient}^^^HOSP_A&1.2.3&ISO`]);
        expect(ids(await search({ eventId: [[code]] }))).to.deep.equal([id]);
        expect(ids(await search({ eventId: [[code.slice(0, -1) + '!']] })), 'the same first 200 characters').to.deep.equal([]);
        expect(ids(await search({ eventTypeCode: [[type]] }))).to.deep.equal([id]);
        expect(ids(await search({ eventTypeCode: [['ITI\0-9']] })), 'NUL searched as stored').to.deep.equal([id]);
        expect(ids(await search({ agent: [[user]] }))).to.deep.equal([id]);
        expect(ids(await search({ agent: [['Dr\0Sato']] }))).to.deep.equal([id]);
        expect(ids(await search({ patient: [[{ value: patient, oid: '1.2.3' }]] }))).to.deep.equal([id]);
        expect(ids(await search({ objectId: [[object]] }))).to.deep.equal([id]);
      });

      it('keeps the node a received message came from and its mark, and nothing for one without', async () => {
        const [marked, unknown, plain] = await store.write(async (tx) => [
          await tx.audit.appendAudit(event({ sender: 'hosp-a', senderMark: 'source-not-sender' })),
          await tx.audit.appendAudit(event({ senderMark: 'unknown-sender' })),
          await tx.audit.appendAudit(event({})),
        ]);
        const got = await store.read(async (tx) => Promise.all([marked, unknown, plain].map(async (id) => (await tx.audit.auditEvent(id))!)));
        expect(got.map((r) => [r.sender, r.senderMark])).to.deep.equal([
          ['hosp-a', 'source-not-sender'],
          [undefined, 'unknown-sender'],
          [undefined, undefined],
        ]);
      });

      it('stores a message given as its UTF-8 bytes as the same text as given as a string', async () => {
        const xml = '<AuditMessage><ActiveParticipant UserID="HOSP_A|EHR" UserName="佐藤 花子"/></AuditMessage>';
        const [fromText, fromBytes] = await store.write(async (tx) => [
          await tx.audit.appendAudit(event({ xml })),
          await tx.audit.appendAudit(event({ xml: Buffer.from(xml, 'utf8') })),
        ]);
        const stored = await search({});
        expect(ids(stored)).to.deep.equal([fromText, fromBytes]);
        expect(stored.map((r) => r.xml)).to.deep.equal([xml, xml]);
      });

      it('finds events by agents they share with others, whatever the order the agents came in, after a write that failed', async () => {
        const ehr = { userId: 'HOSP_A|EHR', userName: '', altUserId: '', networkAccessPoint: '10.0.0.1', requestor: true };
        const hie = { userId: 'REGION|HIE', userName: '', altUserId: '', networkAccessPoint: 'hie.example', requestor: false };
        const portal = { userId: 'HOSP_B|PORTAL', userName: 'Dr Ito', altUserId: '', networkAccessPoint: '10.0.0.1', requestor: true };
        const failed = await store
          .write(async (tx) => {
            await tx.audit.appendAudit(event({ agents: [portal, hie] }));
            throw new Error('rolled back');
          })
          .then(
            () => 'committed',
            (e: Error) => e.message,
          );
        expect(failed).to.equal('rolled back');
        const [a, b, c, d] = await store.write(async (tx) => [
          await tx.audit.appendAudit(event({ agents: [ehr, hie] })),
          await tx.audit.appendAudit(event({ agents: [hie, ehr, ehr] })),
          await tx.audit.appendAudit(event({ agents: [portal, hie] })),
          await tx.audit.appendAudit(event({ agents: [] })),
        ]);
        expect(ids(await search({ agent: [['REGION|HIE']] }))).to.deep.equal([a, b, c]);
        expect(ids(await search({ agent: [['HOSP_A|EHR']] }))).to.deep.equal([a, b]);
        expect(ids(await search({ agent: [['Dr Ito']] }))).to.deep.equal([c]);
        expect(ids(await search({ agent: [['HOSP_B|PORTAL', 'HOSP_A|EHR']] }))).to.deep.equal([a, b, c]);
        expect(ids(await search({ address: [['10.0.0.1']], agent: [['HOSP_B|PORTAL']] }))).to.deep.equal([c]);
        expect(ids(await search({ address: [['hie.example']] }))).to.deep.equal([a, b, c]);
        expect(ids(await search({}))).to.include(d);
      });

      it('pages in either date order, by keyset', async () => {
        const made = await store.write(async (tx) => {
          const out: number[] = [];
          for (const t of ['2024-03-01', '2024-01-01', '2024-02-01', '2024-02-01']) out.push(await tx.audit.appendAudit(event({ eventTime: `${t}T00:00:00.000Z` })));
          return out;
        });
        const asc = [made[1], made[2], made[3], made[0]];
        const first = await search({ limit: 2 });
        expect(ids(first)).to.deep.equal(asc.slice(0, 2));
        const last = first[first.length - 1];
        expect(ids(await search({ limit: 2, after: { eventTime: last.eventTime, id: last.id } }))).to.deep.equal(asc.slice(2));
        const desc = await search({ sort: '-date', limit: 3 });
        expect(ids(desc)).to.deep.equal([...asc].reverse().slice(0, 3));
        const tail = desc[desc.length - 1];
        expect(ids(await search({ sort: '-date', limit: 3, after: { eventTime: tail.eventTime, id: tail.id } }))).to.deep.equal([asc[0]]);
      });
    });

    it('holds back an outbox destination behind its oldest undelivered message', async () => {
      await store.write(async (tx) => {
        await tx.outbox.enqueue('c', 'a', Buffer.from('a1'));
        await tx.outbox.enqueue('c', 'b', Buffer.from('b1'));
        await tx.outbox.enqueue('c', 'a', Buffer.from('a2'));
      });
      const due = await store.read((tx) => tx.outbox.dueMessages('c', Date.now(), 10));
      expect(due.map((m) => m.payload.toString())).to.deep.equal(['a1', 'b1', 'a2']);
      await store.write((tx) => tx.outbox.markFailed(due[0].id, 'down', Date.now() + 60_000));
      const later = await store.read((tx) => tx.outbox.dueMessages('c', Date.now(), 10));
      expect(later.map((m) => m.payload.toString()), 'a2 must not overtake a1').to.deep.equal(['b1']);
      await store.write((tx) => tx.outbox.markSent(later[0].id));
      expect(await store.read((tx) => tx.outbox.pendingCount('c'))).to.equal(2);
      const [retry] = await store.read((tx) => tx.outbox.dueMessages('c', Date.now() + 120_000, 10));
      expect(retry.attempts).to.equal(1);
      expect(retry.lastError).to.equal('down');
    });

    it('keeps ingest items by facility and source, the latest document version by timestamp', async () => {
      const item = (source: string, timestamp: string, entryUuid: string | null) => ({
        facility: 'F',
        source,
        size: 10,
        mtimeMs: 1,
        sha1: 'a'.repeat(40),
        versionKey: 'P/20240101/OMP-01/1',
        timestamp,
        condition: 1,
        outcome: entryUuid ? 'document' : 'patient',
        entryUuid,
        uniqueId: entryUuid && `2.999.${timestamp}`,
      });
      await store.write(async (tx) => {
        await tx.ingest.putIngestItem(item('a', '20240101000000001', 'urn:uuid:1'));
        await tx.ingest.putIngestItem(item('b', '20240101000000003', 'urn:uuid:3'));
        await tx.ingest.putIngestItem(item('c', '20240101000000009', null));
        await tx.ingest.putIngestItem(item('a', '20240101000000001', 'urn:uuid:1'));
      });
      expect(await store.read((tx) => tx.ingest.ingestItemCount('F'))).to.equal(3);
      expect((await store.read((tx) => tx.ingest.ingestItem('F', 'b')))!.entryUuid).to.equal('urn:uuid:3');
      expect((await store.read((tx) => tx.ingest.latestDocumentVersion('F', 'P/20240101/OMP-01/1')))!.source).to.equal('b');
      expect(await store.read((tx) => tx.ingest.ingestItem('G', 'b'))).to.equal(undefined);
    });
  });
}
