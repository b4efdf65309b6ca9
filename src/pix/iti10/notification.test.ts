import { expect } from 'chai';
import { Hl7v2Message } from '../../hl7v2/message.ts';
import type { DomainIdentifier } from '../../identity/service.ts';
import { buildA31, type NotificationParties } from './notification.ts';

const parties: NotificationParties = { sendingApplication: 'HIE', sendingFacility: 'REGION', receivingApplication: 'VIEWER', receivingFacility: 'HOSP_C' };

const id = (value: string, namespace: string, oid: string, kind: 'local' | 'regional' = 'local'): DomainIdentifier => ({
  id: value,
  domain: { key: oid || `ns:${namespace}`, namespace, oid, type: oid ? 'ISO' : '', kind },
});

describe('ITI-10 PIX Update Notification message (buildA31, ITI TF-2 3.10.4.1.2)', () => {
  const ids = [id('A-1', 'HOSP_A', '1.2.392.999.1'), id('R-1', 'REGION', '2.999.392.1.2', 'regional')];

  it('is an ADT^A31^ADT_A05 of HL7 2.5 from this node to the consumer, with the given control id and the ITI-10 profile', () => {
    const m = Hl7v2Message.parse(buildA31(parties, ids, 'N42'));
    const h = m.header;
    expect([h.sendingApplication, h.sendingFacility, h.receivingApplication, h.receivingFacility]).to.deep.equal(['HIE', 'REGION', 'VIEWER', 'HOSP_C']);
    expect(h.type).to.include({ code: 'ADT', event: 'A31' });
    const msh = m.first('MSH')!;
    expect(msh.raw(9)).to.equal('ADT^A31^ADT_A05');
    expect(h.controlId).to.equal('N42');
    expect(msh.get(11)).to.equal('P');
    expect(msh.get(12)).to.equal('2.5');
    expect(msh.raw(20), 'MSH-20 is the alternate character set handling scheme').to.equal('');
    expect(msh.raw(21)).to.equal('ITI-10^IHE');
    expect(msh.get(7)).to.match(/^\d{14}/);
  });

  it('has the segments MSH, EVN, PID, PV1: EVN-2 the time, PID-5 a single space, PV1-2 N (not applicable)', () => {
    const text = buildA31(parties, ids, 'N1');
    const m = Hl7v2Message.parse(text);
    expect(text.split('\r').filter(Boolean).map((s) => s.slice(0, 3))).to.deep.equal(['MSH', 'EVN', 'PID', 'PV1']);
    expect(m.first('EVN')!.get(2)).to.equal(m.first('MSH')!.get(7));
    expect(m.first('PID')!.raw(5)).to.equal(' ');
    expect(m.first('PV1')!.get(2)).to.equal('N');
  });

  it('lists each identifier in PID-3 with its full assigning authority (namespace&OID&ISO), in the given order', () => {
    const m = Hl7v2Message.parse(buildA31(parties, ids, 'N2'));
    expect(m.first('PID')!.reps(3).map((r) => r.raw)).to.deep.equal(['A-1^^^HOSP_A&1.2.392.999.1&ISO', 'R-1^^^REGION&2.999.392.1.2&ISO']);
  });

  it('writes an authority known by namespace only without a universal id type, and escapes delimiters in an id', () => {
    const m = Hl7v2Message.parse(buildA31(parties, [id('X^1&2', 'LOCAL', '')], 'N3'));
    const [rep] = m.first('PID')!.reps(3);
    expect(rep.raw).to.equal('X\\S\\1\\T\\2^^^LOCAL');
    expect([rep.get(1), rep.get(4, 1), rep.get(4, 2), rep.get(4, 3)]).to.deep.equal(['X^1&2', 'LOCAL', '', '']);
  });
});
