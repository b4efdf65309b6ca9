import { expect } from 'chai';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
import type { Store } from '../store/types.ts';
import type { AuditMessage, EventOutcome } from './auditMessage.ts';
import { AuditService } from './auditService.ts';

const NODE = { application: 'HIE', facility: 'REGION', auditSourceId: 'hie', auditEnterpriseSiteId: 'region' };
const coded = (code: string) => ({ code, codeSystemName: 'DCM', originalText: code });
const message = (outcome: EventOutcome): AuditMessage => ({
  eventId: coded('110110'),
  eventActionCode: 'C',
  eventDateTime: '2026-12-08T00:00:00Z',
  eventOutcome: outcome,
  eventTypeCodes: [coded('ITI-8')],
  participants: [],
  source: { id: 'hie', typeCodes: [] },
  objects: [],
});

describe('audit service with the database gone', () => {
  const down: Store = {
    engine: 'test',
    read: () => Promise.reject(new Error('not used')),
    write: () => Promise.reject(new StoreUnavailableError('PostgreSQL at db is unavailable: connect ECONNREFUSED')),
    close: async () => undefined,
  };

  it('tells the audit of a failure it cannot store to onUnrecorded, so the request is still answered with its error', async () => {
    const audit = new AuditService(down, NODE);
    const told: [string, number, string][] = [];
    audit.onUnrecorded = (m, e) => told.push([m.eventId.code, m.eventOutcome, e.message]);
    await audit.record(message(4));
    expect(told).to.deep.equal([['110110', 4, 'PostgreSQL at db is unavailable: connect ECONNREFUSED']]);
  });

  it('fails the request whose success it cannot audit', async () => {
    const audit = new AuditService(down, NODE);
    audit.onUnrecorded = () => expect.fail('a success is not dropped');
    const failure = await audit.record(message(0)).then(() => undefined, (e: unknown) => e);
    expect(failure).to.be.instanceOf(StoreUnavailableError);
  });

  it('fails on any other error, whatever the outcome', async () => {
    const broken: Store = { ...down, write: () => Promise.reject(new Error('disk I/O error')) };
    const failure = await new AuditService(broken, NODE).record(message(8)).then(() => undefined, (e: unknown) => e);
    expect((failure as Error).message).to.equal('disk I/O error');
  });
});
