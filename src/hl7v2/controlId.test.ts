import { expect } from 'chai';
import { controlIdGenerator, echoedControlId, MAX_CONTROL_ID_LENGTH } from './controlId.ts';

describe('MSH-10 control ids', () => {
  it('generates ids of at most 20 characters (ST(20) in HL7 2.5), all different', () => {
    const next = controlIdGenerator();
    const ids = Array.from({ length: 1000 }, next);
    expect(new Set(ids).size).to.equal(1000);
    expect(Math.max(...ids.map((i) => i.length))).to.be.at.most(20);
  });

  it('echoes a control id whole up to 199 characters, and only its first 199 beyond', () => {
    expect(MAX_CONTROL_ID_LENGTH).to.equal(199);
    expect(echoedControlId('_mpi_1dd16f73-c85c-4540-857d-8b922f1732de')).to.equal('_mpi_1dd16f73-c85c-4540-857d-8b922f1732de');
    expect(echoedControlId('a'.repeat(199))).to.equal('a'.repeat(199));
    expect(echoedControlId('b'.repeat(100_000))).to.equal('b'.repeat(199));
  });
});
