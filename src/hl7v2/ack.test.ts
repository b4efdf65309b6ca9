import { expect } from 'chai';
import { buildResponse, errSegment } from './ack.ts';
import { formatLocation, Hl7ProcessingError } from './errors.ts';

describe('acknowledgements (ITI TF-2 C.2.3)', () => {
  const me = { application: 'HIE', facility: 'REGION', nextControlId: () => 'OUT1' };
  const req = {
    rawSendingApplication: 'EHR',
    rawSendingFacility: 'HOSP',
    rawReceivingApplication: 'PIX',
    rawReceivingFacility: 'REGION_A',
    controlId: 'IN1',
    processingId: 'T',
    version: '2.3.1',
    characterSet: '~ISO IR87',
  };

  it('swaps the parties, echoes MSA-2, processing id, version and charset', () => {
    const [msh, msa] = buildResponse(req, { type: ['ACK', 'A04', 'ACK'], ack: 'AA' }, me);
    const f = msh.split('|');
    expect(f.slice(2, 6)).to.deep.equal(['PIX', 'REGION_A', 'EHR', 'HOSP']);
    expect(f[8]).to.equal('ACK^A04^ACK');
    expect(f[9]).to.equal('OUT1');
    expect(f[10]).to.equal('T');
    expect(f[11]).to.equal('2.3.1');
    expect(f[17]).to.equal('~ISO IR87');
    expect(msa).to.equal('MSA|AA|IN1');
  });

  it('writes ERR-2 location, ERR-3 code from table 0357, ERR-4 severity and ERR-8 text', () => {
    expect(errSegment({ code: 204, text: 'Unknown patient', location: { segment: 'QPD', field: 3, repetition: 1, component: 1 } })).to.equal(
      'ERR||QPD^1^3^1^1|204^Unknown key identifier^HL70357|E||||Unknown patient',
    );
  });

  it('writes ERR-5 for a refusal by node authorization (207 with NOTAUTH)', () => {
    const e = Hl7ProcessingError.notAuthorized('Node hosp-a does not act for facility HOSP_B', { segment: 'MSH', field: 4 });
    expect(e.ack).to.equal('AR');
    expect(errSegment(e.details[0])).to.equal('ERR||MSH^1^4|207^Application internal error^HL70357|E|NOTAUTH^Not authorized^HIE|||Node hosp-a does not act for facility HOSP_B');
  });

  it('formats locations without trailing empty components', () => {
    expect(formatLocation({ segment: 'MSH', field: 9, repetition: 1, component: 2 })).to.equal('MSH^1^9^1^2');
    expect(formatLocation({ segment: 'QPD', field: 4, repetition: 3 })).to.equal('QPD^1^4^3');
    expect(formatLocation({ segment: 'MSH', sequence: 2 })).to.equal('MSH^2');
  });
});
