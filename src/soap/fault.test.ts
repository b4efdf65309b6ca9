import { expect } from 'chai';
import { faultEnvelope } from './envelope.ts';
import { SoapFault, Subcodes, faultHeaderBlocks, type FaultCode } from './fault.ts';

describe('SOAP 1.2 faults', () => {
  it('HTTP status per fault code as SOAP 1.2 Part 2 Table 20 gives it', () => {
    const status = (code: FaultCode) => new SoapFault(code, 'r').httpStatus;
    expect(['Sender', 'Receiver', 'MustUnderstand', 'VersionMismatch'].map((c) => status(c as FaultCode))).to.deep.equal([400, 500, 500, 500]);
  });

  it('writes env:NotUnderstood only for a MustUnderstand fault, a block without namespace by its local name', () => {
    const names = [{ ns: 'urn:a', local: 'A' }, { ns: '', local: 'Bare' }];
    expect(faultHeaderBlocks(new SoapFault('MustUnderstand', 'r', undefined, { notUnderstood: names }))).to.equal(
      '<env:NotUnderstood xmlns:nu="urn:a" qname="nu:A"/><env:NotUnderstood qname="Bare"/>',
    );
    expect(faultHeaderBlocks(new SoapFault('Sender', 'r', undefined, { notUnderstood: names }))).to.equal('');
  });

  it('puts the header blocks before wsa:Action, and the Detail after the Reason', () => {
    const xml = faultEnvelope(new SoapFault('Sender', 'missing', Subcodes.headerRequired, { problemHeader: { ns: 'http://www.w3.org/2005/08/addressing', local: 'To' } }));
    expect(xml).to.match(/<\/env:Reason><env:Detail><wsa:ProblemHeaderQName [^>]*>p:To<\/wsa:ProblemHeaderQName><\/env:Detail><\/env:Fault>/);
    const vm = faultEnvelope(new SoapFault('VersionMismatch', 'v'));
    expect(vm).to.contain('<env:Header><env:Upgrade><env:SupportedEnvelope qname="env:Envelope"/></env:Upgrade><wsa:Action');
  });
});
