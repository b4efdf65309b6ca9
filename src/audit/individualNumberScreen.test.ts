import { expect } from 'chai';
import { IndividualNumberDomain } from '../identity/individualNumber/domain.ts';
import type { AuditMessage } from './auditMessage.ts';
import { PatientNumber } from './codes.ts';
import { individualNumberScreen } from './individualNumberScreen.ts';

const N = '123456789018';
const screen = individualNumberScreen(new IndividualNumberDomain({ namespace: 'MYNUMBER', oid: '2.999.392.1.9', authorities: [], typeCodes: ['MN'] }));
const message = (objects: AuditMessage['objects'], description?: string): AuditMessage => ({
  eventId: { code: '110112', codeSystemName: 'DCM', originalText: 'Query' },
  eventActionCode: 'E',
  eventDateTime: '2024-04-01T00:00:00Z',
  eventOutcome: 4,
  eventOutcomeDescription: description,
  eventTypeCodes: [{ code: 'ITI-18', codeSystemName: 'IHE Transactions', originalText: 'Registry Stored Query' }],
  participants: [{ userId: 'u', userIsRequestor: true, roleIdCodes: [] }],
  source: { id: 's', typeCodes: [] },
  objects,
});

describe("the individual-number screen of this server's own audit messages", () => {
  it('masks a patient of the domain everywhere, and the number inside a base64 query', () => {
    const query = Buffer.from(`<Value>'${N}^^^&amp;urn:oid:2.999.392.1.9&amp;ISO'</Value>`).toString('base64');
    const out = screen(message([{ id: 'q', typeCode: 2, idTypeCode: PatientNumber, query }, { id: `${N}^^^MYNUMBER`, typeCode: 1, idTypeCode: PatientNumber }], `patient ${N} refused`));
    const text = JSON.stringify(out) + Buffer.from(out.objects[0].query!, 'base64').toString();
    expect(text).to.not.contain(N);
    expect(out.objects[1].id).to.equal('XXXXXXXXXXXX^^^MYNUMBER');
  });

  it('leaves a message that names no individual number as it is', () => {
    const m = message([{ id: `${N}^^^&1.2.3&ISO`, typeCode: 1, idTypeCode: PatientNumber }]);
    expect(screen(m)).to.equal(m);
  });
});
