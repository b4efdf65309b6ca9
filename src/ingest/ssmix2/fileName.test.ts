import { expect } from 'chai';
import { FileNameError, formatFileName, parseFileName, parseStoragePath, versionKey } from './fileName.ts';

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof FileNameError ? `${e.reason}: ${e.message}` : String(e);
  }
  return 'accepted';
};

describe('SS-MIX2 file names', () => {
  it('parses the seven fields', () => {
    const n = parseFileName('9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1');
    expect(n.patientId).to.equal('9999013');
    expect(n.careDate).to.equal('20110701');
    expect(n.dataType.code).to.equal('OMP-01');
    expect(n.orderNo).to.equal('000000011000185');
    expect(n.timestamp).to.equal('20110701224603984');
    expect(n.department).to.equal('01');
    expect(n.condition).to.equal(1);
    expect(formatFileName(n)).to.equal('9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1');
    expect(versionKey(n)).to.equal('9999013/20110701/OMP-01/000000011000185');
  });

  it('takes no care date and no department as -', () => {
    const n = parseFileName('9999013_-_ADT-00_999999999999999_20111220224447339_-_1');
    expect([n.careDate, n.department]).to.deep.equal(['-', '-']);
  });

  for (const [name, why] of [
    ['9999013_20110701_OMP-01_1_20110701224603984_01', 'fields'],
    ['1234567890123456_20110701_OMP-01_1_20110701224603984_01_1', 'patient ID'],
    ['9999013_2011070_OMP-01_1_20110701224603984_01_1', 'care date'],
    ['9999013_20111301_OMP-01_1_20110701224603984_01_1', 'care date'],
    ['9999013_20110701_OMP-99_1_20110701224603984_01_1', 'data type'],
    ['9999013_20110701_OMP-01_1234567890123456_20110701224603984_01_1', 'order number'],
    ['9999013_20110701_OMP-01_1_2011070122460398_01_1', 'timestamp'],
    ['9999013_20110701_OMP-01_1_20110701224603984_0101_1', 'department'],
    ['9999013_20110701_OMP-01_1_20110701224603984_01_3', 'condition flag'],
  ] as const) {
    it(`refuses ${name} (bad ${why})`, () => {
      expect(reason(() => parseFileName(name))).to.match(new RegExp(`^bad-name: .*${why}`));
    });
  }

  it('checks that the folders agree with the name', () => {
    const name = '9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1';
    expect(parseStoragePath(`999/901/9999013/20110630/OMP-11/${name}`).patientId).to.equal('9999013');
    expect(reason(() => parseStoragePath(`000/000/0000001/20000401/ADT-31/${name}`))).to.match(/^misplaced: file belongs in 999\/901\/9999013\/20110630\/OMP-11\//);
    expect(reason(() => parseStoragePath(`999/901/9999013/20110701/OMP-11/${name}`))).to.match(/^misplaced/);
    expect(reason(() => parseStoragePath(`999/9999013/20110630/OMP-11/${name}`))).to.match(/^misplaced/);
  });
});
