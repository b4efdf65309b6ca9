import { expect } from 'chai';
import { hl7Request, readFixture, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { adt, HOSP_A, HOSP_B, INDIVIDUAL_NUMBER, TOKEN, type AdtOptions } from '../../../test/helpers/messages.ts';
import { AccessDenied } from '../../consent/errors.ts';
import { facilityDomains } from '../../consent/feedAuthorization.ts';
import { Hl7ProcessingError } from '../../hl7v2/errors.ts';
import { Hl7v2Message } from '../../hl7v2/message.ts';
import type { Hl7Transaction } from '../../hl7v2/transaction.ts';
import type { PixConsumerConfig } from '../../kernel/config.ts';
import type { NodeIdentity, RequestContext } from '../../kernel/requestContext.ts';
import type { StoredAuditRecord } from '../../store/types.ts';
import { ITI10_CHANNEL, PixNotifier } from '../iti10/notifier.ts';
import { iti8Transaction } from './transaction.ts';

const A_OID = '1.2.392.999.1';
const B_OID = '1.2.392.999.2';

const CONSUMER: PixConsumerConfig = { name: 'viewer', host: '127.0.0.1', port: 9, application: 'VIEWER', facility: 'HOSP_C', domains: [] };

function nodeContext(name: string, facilities: string[]): RequestContext {
  const node: NodeIdentity = { name, facilities, sourceIds: [], auditSourceIds: [name], roles: new Set(['source']), breakGlass: new Set(), requireAssertion: false };
  return { transport: 'mllp', address: '192.0.2.20', node, certificate: { subject: `CN=${name}`, fingerprint256: 'CD' } };
}

describe('ITI-8 Patient Identity Feed (the transaction over the identity service, in process)', () => {
  let f: ReadFixture;
  let t: Hl7Transaction;
  let control = 0;
  before(async () => {
    f = await readFixture();
    const notifier = new PixNotifier([CONSUMER], f.config.node, f.identity, () => `N${++control}`);
    t = iti8Transaction({ store: f.store, identity: f.identity, notifier, audit: f.audit, facilities: facilityDomains(f.config.identity.domains), maxIdentifiers: f.config.pix.maxIdentifiers });
  });
  after(() => f?.close());

  const feed = (o: AdtOptions, ctx?: RequestContext) => t.handle(hl7Request(adt(o), ctx));
  const record = (oid: string, id: string) => f.store.read((tx) => tx.identity.record(oid, id));
  const personOf = async (oid: string, id: string) => {
    const d = (await f.store.read((tx) => f.identity.domains.find(tx, { namespace: '', oid })))!;
    const r = await f.store.read((tx) => f.identity.resolve(tx, d, id));
    return r.kind === 'person' ? r.person : undefined;
  };
  const notifications = () =>
    f.store.read(async (tx) => (await tx.outbox.dueMessages(ITI10_CHANNEL, Date.now() + 3_600_000, 1000)).map((m) => ({ to: m.destination, message: Hl7v2Message.parse(m.payload.toString('utf8')) })));
  const audits = (): Promise<StoredAuditRecord[]> => f.store.read((tx) => tx.audit.auditEvents({ limit: 10_000 }));
  /** What happened after a mark: the audit events and notifications added since. */
  async function mark() {
    const a = (await audits()).length;
    const n = (await notifications()).length;
    return { audits: async () => (await audits()).slice(a), notifications: async () => (await notifications()).slice(n) };
  }
  const pid3 = (m: Hl7v2Message) => m.first('PID')!.reps(3).map((r) => r.raw);

  it('registers an A04, notifies the consumer and audits a Patient Record C in the same write, then answers AA', async () => {
    const since = await mark();
    const ack = await feed({ event: 'A04', ids: [`A10-1^^^${HOSP_A}`], name: 'SATO^HANAKO' });
    expect(ack).to.deep.equal({ type: ['ACK', 'A04', 'ACK'], ack: 'AA' });
    const rec = (await record(A_OID, 'A10-1'))!;
    expect(rec.demographics.fields[5]).to.deep.equal([[['SATO'], ['HANAKO']]]);

    const sent = await since.notifications();
    expect(sent).to.have.length(1);
    expect(sent[0].to).to.equal('viewer');
    expect(sent[0].message.header.type).to.include({ code: 'ADT', event: 'A31' });
    const person = (await personOf(A_OID, 'A10-1'))!;
    expect(pid3(sent[0].message)).to.have.members([`A10-1^^^HOSP_A&${A_OID}&ISO`, `${person.regionalId}^^^AFFINITY&1.3.6.1.4.1.21367.2005.3.7&ISO`]);

    const a = await since.audits();
    expect(a.map((e) => [e.eventId, e.eventTypeCode, e.action, e.outcome])).to.deep.equal([['110110', 'ITI-8', 'C', 0]]);
    expect(a[0].patientIds).to.deep.equal([`A10-1^^^HOSP_A&${A_OID}&ISO`]);
  });

  it('updates with an A08 (Patient Record U): new demographics, no notification when the cross-references stay the same', async () => {
    await feed({ event: 'A04', ids: [`A10-2^^^${HOSP_A}`], name: 'SATO^JIRO' });
    const before = (await personOf(A_OID, 'A10-2'))!;
    const since = await mark();
    const ack = await feed({ event: 'A08', ids: [`A10-2^^^${HOSP_A}`], name: 'KATO^JIRO', birthDate: '19990909' });
    expect(ack.ack).to.equal('AA');
    expect(ack.type).to.deep.equal(['ACK', 'A08', 'ACK']);
    const rec = (await record(A_OID, 'A10-2'))!;
    expect(rec.demographics.fields[5]).to.deep.equal([[['KATO'], ['JIRO']]]);
    expect(rec.demographics.fields[7]).to.deep.equal([[['19990909']]]);
    expect((await personOf(A_OID, 'A10-2'))!.id).to.equal(before.id);
    expect(await since.notifications()).to.deep.equal([]);
    expect((await since.audits()).map((e) => [e.eventTypeCode, e.action, e.outcome])).to.deep.equal([['ITI-8', 'U', 0]]);
  });

  it('links a new identifier fed with a known one (A08) and notifies the new cross-reference', async () => {
    await feed({ event: 'A04', ids: [`A10-3^^^${HOSP_A}`] });
    const since = await mark();
    await feed({ event: 'A08', ids: [`A10-3^^^${HOSP_A}`, `B10-3^^^${HOSP_B}`] });
    expect((await personOf(B_OID, 'B10-3'))!.id).to.equal((await personOf(A_OID, 'A10-3'))!.id);
    const sent = await since.notifications();
    expect(sent).to.have.length(1);
    expect(pid3(sent[0].message)).to.include.members([`A10-3^^^HOSP_A&${A_OID}&ISO`, `B10-3^^^HOSP_B&${B_OID}&ISO`]);
  });

  it('merges with an A40: the prior ID resolves to the survivor; D for the prior and U for the survivor, notified', async () => {
    await feed({ event: 'A04', ids: [`A10-4^^^${HOSP_A}`] });
    await feed({ event: 'A04', ids: [`A10-5^^^${HOSP_A}`] });
    const survivor = (await personOf(A_OID, 'A10-4'))!;
    expect((await personOf(A_OID, 'A10-5'))!.id).to.not.equal(survivor.id);
    const since = await mark();
    const ack = await feed({ event: 'A40', ids: [`A10-4^^^${HOSP_A}`], mrg: [`A10-5^^^${HOSP_A}`] });
    expect(ack).to.deep.equal({ type: ['ACK', 'A40', 'ACK'], ack: 'AA' });
    expect((await personOf(A_OID, 'A10-5'))!.id).to.equal(survivor.id);
    expect((await record(A_OID, 'A10-5'))!.mergedInto).to.equal((await record(A_OID, 'A10-4'))!.id);

    const a = await since.audits();
    expect(a.map((e) => [e.eventTypeCode, e.action, e.outcome, e.patientIds])).to.deep.equal([
      ['ITI-8', 'D', 0, [`A10-5^^^HOSP_A&${A_OID}&ISO`]],
      ['ITI-8', 'U', 0, [`A10-4^^^HOSP_A&${A_OID}&ISO`]],
    ]);
    const sent = await since.notifications();
    expect(sent).to.have.length(1);
    expect(pid3(sent[0].message)).to.include(`A10-4^^^HOSP_A&${A_OID}&ISO`).and.to.not.include(`A10-5^^^HOSP_A&${A_OID}&ISO`);
  });

  it('changes nothing when the write fails part-way: the update before a refused merge is rolled back, and only the failure is audited', async () => {
    await feed({ event: 'A04', ids: [`A10-6^^^${HOSP_A}`, `T10-6^^^${TOKEN}`], name: 'ITO^ICHIRO' });
    await feed({ event: 'A04', ids: [`A10-7^^^${HOSP_A}`, `T10-7^^^${TOKEN}`] });
    const since = await mark();
    // Survivor and prior carry different medical-field tokens: refused after the survivor's record was updated.
    const err = await t.handle(hl7Request(adt({ event: 'A40', ids: [`A10-6^^^${HOSP_A}`], mrg: [`A10-7^^^${HOSP_A}`], name: 'ITO^JIRO' }))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Hl7ProcessingError);
    expect((err as Hl7ProcessingError).details[0]).to.include({ code: 205 });
    expect((await record(A_OID, 'A10-6'))!.demographics.fields[5]).to.deep.equal([[['ITO'], ['ICHIRO']]]);
    expect((await record(A_OID, 'A10-7'))!.mergedInto).to.equal(null);
    expect(await since.notifications()).to.deep.equal([]);
    expect((await since.audits()).map((e) => [e.eventTypeCode, e.action, e.outcome])).to.deep.equal([['ITI-8', 'U', 8]]);
  });

  it('audits a malformed feed as a failure (outcome 8) and stores nothing', async () => {
    const since = await mark();
    const text = adt({ event: 'A04', ids: [`A10-8^^^${HOSP_A}`] }).replace(/PV1\|[^\r]*\r/, '');
    const err = await t.handle(hl7Request(text)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Hl7ProcessingError);
    expect(await record(A_OID, 'A10-8')).to.equal(undefined);
    const a = await since.audits();
    expect(a.map((e) => [e.eventTypeCode, e.action, e.outcome, e.patientIds])).to.deep.equal([['ITI-8', 'C', 8, [`A10-8^^^HOSP_A&${A_OID}&ISO`]]]);
  });

  it("refuses a node of another facility (AccessDenied, audited by the endpoint): nothing stored, registered, notified or audited", async () => {
    const hospB = nodeContext('hosp-b', [B_OID]);
    const since = await mark();
    const err = await feed({ event: 'A04', ids: [`A10-9^^^${HOSP_A}`, `X10-9^^^HOSP_X&1.2.392.999.78&ISO`], sendingFacility: 'HOSP_A' }, hospB).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AccessDenied);
    expect((err as AccessDenied).location).to.deep.equal({ part: 'sendingFacility' });
    const err2 = await feed({ event: 'A04', ids: [`B10-9^^^${HOSP_B}`, `A10-9^^^${HOSP_A}`], sendingFacility: 'HOSP_B' }, hospB).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err2).to.be.instanceOf(AccessDenied);
    expect(t.locate!((err2 as AccessDenied).location)).to.deep.equal({ segment: 'PID', field: 3, repetition: 2 });
    expect(await record(A_OID, 'A10-9')).to.equal(undefined);
    expect(await record(B_OID, 'B10-9')).to.equal(undefined);
    expect(await f.store.read((tx) => tx.identity.domainByOid('1.2.392.999.78'))).to.equal(undefined);
    expect(await since.notifications()).to.deep.equal([]);
    expect(await since.audits()).to.deep.equal([]);
  });

  it('lets a node feed its own facility, and needs the role source', async () => {
    expect(t.roles).to.deep.equal(['source']);
    const ack = await feed({ event: 'A01', ids: [`B10-10^^^${HOSP_B}`], sendingFacility: 'HOSP_B' }, nodeContext('hosp-b', [B_OID]));
    expect(ack.ack).to.equal('AA');
    expect(await record(B_OID, 'B10-10')).to.not.equal(undefined);
  });

  it('names in the refusal audit every PID-3 identifier but the individual number', async () => {
    const req = hl7Request(adt({ event: 'A04', ids: [`A10-11^^^${HOSP_A}`, `123456789012^^^${INDIVIDUAL_NUMBER}`, `99^^^${HOSP_B}^MN`] }));
    const m = t.auditRefusal!(req, Hl7ProcessingError.notAuthorized('not its facility'));
    expect(m.objects.map((o) => [o.id, o.typeCode])).to.deep.equal([[`A10-11^^^${HOSP_A}`, 1]]);
    expect(JSON.stringify(m)).to.not.contain('123456789012');
    expect([m.eventActionCode, m.eventOutcome, m.eventOutcomeDescription]).to.deep.equal(['C', 8, '207 not its facility']);
  });
});
