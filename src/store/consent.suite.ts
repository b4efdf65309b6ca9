/**
 * The consent part of the store behaviour suite: what tx.consent promises (current consent per
 * person, its append-only history, declared disasters), run by every engine beside storeSuite.
 */
import { expect } from 'chai';
import type { Consent, NewConsentChange } from '../consent/model.ts';
import { emptyTerms } from '../consent/model.ts';
import type { StoreFactory } from './store.suite.ts';
import type { Store } from './types.ts';

const consent = (personId: number, version: number, over: Partial<Consent> = {}): Consent => ({
  ...emptyTerms(),
  personId,
  version,
  updatedAt: `2026-06-01T00:00:0${version}.000Z`,
  source: { kind: 'admin' },
  ...over,
});

const change = (c: Consent, over: Partial<NewConsentChange> = {}): NewConsentChange => ({
  personId: c.personId,
  at: c.updatedAt,
  who: 'admin-node',
  source: c.source,
  action: 'set',
  changes: ['participation: not-enrolled -> opted-in'],
  consent: c,
  ...over,
});

export function consentStoreSuite(engine: string, factory: StoreFactory): void {
  describe(`store behaviour: consent (${engine})`, () => {
    let store: Store;
    let p1 = 0;
    let p2 = 0;
    beforeEach(async () => {
      store = await factory.open();
      [p1, p2] = await store.write(async (tx) => [(await tx.identity.createPerson(null, { prefix: 'R' })).id, (await tx.identity.createPerson(null, { prefix: 'R' })).id]);
    });
    afterEach(async () => {
      await store.close().catch(() => undefined);
    });

    it('keeps one current consent per person and every change in order, across a reopen', async () => {
      const first = consent(p1, 1, { participation: 'opted-in', facilities: ['1.2.3'], source: { kind: 'bppc', document: '1.2.3.4.5' } });
      const second = consent(p1, 2, {
        participation: 'opted-in',
        withheld: { ...emptyTerms().withheld, practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }] },
        validUntil: '2027-01-01T00:00:00.000Z',
      });
      const c1 = await store.write((tx) => tx.consent.recordConsent(change(first, { action: 'bppc' })));
      const c2 = await store.write((tx) => tx.consent.recordConsent(change(second, { action: 'withhold', who: 'clerk' })));
      expect(c2.id).to.be.greaterThan(c1.id);
      await store.close();
      store = await factory.reopen();
      expect(await store.read((tx) => tx.consent.consents([p1]))).to.deep.equal([second]);
      expect(await store.read((tx) => tx.consent.consents([p2]))).to.deep.equal([]);
      const h = await store.read((tx) => tx.consent.consentHistory(p1));
      expect(h).to.deep.equal([
        { ...change(first, { action: 'bppc' }), id: c1.id },
        { ...change(second, { action: 'withhold', who: 'clerk' }), id: c2.id },
      ]);
      expect(await store.read((tx) => tx.consent.consentHistory(p2))).to.deep.equal([]);
    });

    it('gives the consents of several persons at once', async () => {
      await store.write(async (tx) => {
        await tx.consent.recordConsent(change(consent(p1, 1, { participation: 'opted-in' })));
        await tx.consent.recordConsent(change(consent(p2, 1, { participation: 'opted-out' })));
      });
      const list = await store.read((tx) => tx.consent.consents([p1, p2, 999]));
      expect(list.map((c) => [c.personId, c.participation]).sort()).to.deep.equal([
        [p1, 'opted-in'],
        [p2, 'opted-out'],
      ]);
      expect(await store.read((tx) => tx.consent.consents([]))).to.deep.equal([]);
    });

    it('keeps nothing of a consent change whose write fails', async () => {
      await store
        .write(async (tx) => {
          await tx.consent.recordConsent(change(consent(p1, 1, { participation: 'opted-in' })));
          throw new Error('boom');
        })
        .catch(() => undefined);
      expect(await store.read((tx) => tx.consent.consents([p1]))).to.deep.equal([]);
      expect(await store.read((tx) => tx.consent.consentHistory(p1))).to.deep.equal([]);
    });

    it('declares disasters, finds those in force at an instant, ends them once', async () => {
      const d1 = await store.write((tx) =>
        tx.consent.declareDisaster({ description: 'earthquake', facilities: ['1.2.3', '1.2.4'], start: '2026-06-01T00:00:00.000Z', declaredBy: 'admin', declaredAt: '2026-06-01T00:00:00.000Z' }),
      );
      const d2 = await store.write((tx) =>
        tx.consent.declareDisaster({ description: 'flood', facilities: ['1.2.5'], start: '2026-06-02T00:00:00.000Z', end: '2026-06-03T00:00:00.000Z', declaredBy: 'admin', declaredAt: '2026-06-01T00:00:00.000Z' }),
      );
      expect(d1).to.deep.equal({ id: d1.id, description: 'earthquake', facilities: ['1.2.3', '1.2.4'], start: '2026-06-01T00:00:00.000Z', declaredBy: 'admin', declaredAt: '2026-06-01T00:00:00.000Z' });
      const inForce = (t: string) => store.read(async (tx) => (await tx.consent.disasters({ activeAt: t })).map((d) => d.id));
      expect(await inForce('2026-05-31T00:00:00.000Z')).to.deep.equal([]);
      expect(await inForce('2026-06-02T12:00:00.000Z')).to.deep.equal([d2.id, d1.id]);
      expect(await inForce('2026-06-03T00:00:00.000Z'), 'the end is exclusive').to.deep.equal([d1.id]);
      const ended = await store.write((tx) => tx.consent.endDisaster(d1.id, '2026-06-04T00:00:00.000Z'));
      expect(ended!.endedAt).to.equal('2026-06-04T00:00:00.000Z');
      const again = await store.write((tx) => tx.consent.endDisaster(d1.id, '2026-06-05T00:00:00.000Z'));
      expect(again!.endedAt, 'ended once').to.equal('2026-06-04T00:00:00.000Z');
      expect(await inForce('2026-06-04T00:00:00.000Z')).to.deep.equal([]);
      expect(await inForce('2026-06-03T12:00:00.000Z')).to.deep.equal([d1.id]);
      expect((await store.read((tx) => tx.consent.disasters())).map((d) => d.id)).to.deep.equal([d2.id, d1.id]);
      expect(await store.write((tx) => tx.consent.endDisaster(9999, '2026-06-05T00:00:00.000Z'))).to.equal(undefined);
    });

    it('keeps patient notifications durably, unread until marked read, per person, newest first', async () => {
      const body = { type: 'break-glass', access: 'emergency', purposeOfUse: 'EMERGENCY', seen: ['1.2.3.4'] };
      const n1 = await store.write((tx) => tx.consent.addPatientNotification({ personId: p1, at: '2026-06-01T00:00:00.000Z', kind: 'break-glass', body }));
      const n2 = await store.write((tx) => tx.consent.addPatientNotification({ personId: p1, at: '2026-06-02T00:00:00.000Z', kind: 'break-glass', body: { ...body, seen: [] } }));
      await store.write((tx) => tx.consent.addPatientNotification({ personId: p2, at: '2026-06-03T00:00:00.000Z', kind: 'break-glass', body }));
      await store
        .write(async (tx) => {
          await tx.consent.addPatientNotification({ personId: p1, at: '2026-06-04T00:00:00.000Z', kind: 'break-glass', body });
          throw new Error('boom');
        })
        .catch(() => undefined);
      await store.close();
      store = await factory.reopen();
      const mine = await store.read((tx) => tx.consent.patientNotifications([p1], 10));
      expect(mine).to.deep.equal([
        { id: n2.id, personId: p1, at: '2026-06-02T00:00:00.000Z', kind: 'break-glass', body: { ...body, seen: [] }, readAt: null },
        { id: n1.id, personId: p1, at: '2026-06-01T00:00:00.000Z', kind: 'break-glass', body, readAt: null },
      ]);
      expect(await store.read((tx) => tx.consent.patientNotifications([p1], 1)), 'at most the limit').to.have.length(1);
      expect(await store.read((tx) => tx.consent.unreadNotifications([p1]))).to.equal(2);
      expect(await store.read((tx) => tx.consent.unreadNotifications([p1, p2]))).to.equal(3);
      expect(await store.read((tx) => tx.consent.unreadNotifications([]))).to.equal(0);
      // Another person's notification is never marked through this person's.
      const theirs = (await store.read((tx) => tx.consent.patientNotifications([p2], 10)))[0]!;
      expect(await store.write((tx) => tx.consent.markNotificationsRead([p1], [n1.id, theirs.id], '2026-06-05T00:00:00.000Z'))).to.equal(1);
      expect(await store.write((tx) => tx.consent.markNotificationsRead([p1], [n1.id], '2026-06-06T00:00:00.000Z')), 'read once').to.equal(0);
      expect(await store.read((tx) => tx.consent.unreadNotifications([p1]))).to.equal(1);
      expect(await store.read((tx) => tx.consent.unreadNotifications([p2]))).to.equal(1);
      const after = await store.read((tx) => tx.consent.patientNotifications([p1, p2], 10));
      expect(after.map((n) => [n.personId, n.readAt])).to.deep.equal([
        [p2, null],
        [p1, null],
        [p1, '2026-06-05T00:00:00.000Z'],
      ]);
    });
  });
}
