import { expect } from 'chai';
import { encodeMessage } from '../../hl7v2/charset.ts';
import { dataType } from './dataTypes.ts';
import { careDateOf, checkMessageType, readStoredMessage, StoredMessageError } from './storedMessage.ts';

const RDE = [
  'MSH|^~\\&|HIS|F|GW|R|20110701224603.984||RDE^O11^RDE_O11|1|P|2.5||||||~ISO IR87||ISO2022-1994',
  'PID|0001||9999013^^^^PI||患者^太郎^^^^^L^I~カンジャ^タロウ^^^^^L^P||19480405|M',
  'ORC|NW|1||1|||||20110701103045',
  'RXE||108665201^ダーゼン錠（５mg)^HOT9|1||TAB^錠^MR9P',
].join('\r');

const why = (bytes: Uint8Array) => {
  try {
    readStoredMessage(bytes);
    return 'accepted';
  } catch (e) {
    return e instanceof StoredMessageError ? e.reason : String(e);
  }
};

describe('SS-MIX2 stored messages', () => {
  it('decodes ISO-2022-JP (MSH-18 ~ISO IR87) before parsing, kanji and kana intact', () => {
    const bytes = Buffer.concat([Buffer.from([0x0b]), encodeMessage(RDE, 'iso-2022-jp'), Buffer.from('\r\x1c')]);
    const m = readStoredMessage(bytes);
    expect(m.charset).to.equal('iso-2022-jp');
    expect(m.messageKey).to.equal('RDE^O11');
    expect(m.message.first('PID')!.get(5, 1, 1, 1)).to.equal('カンジャ');
    expect(m.message.first('RXE')!.get(2, 2)).to.equal('ダーゼン錠（５mg)');
    checkMessageType(m, dataType('OMP-01')!);
    expect(careDateOf(m, dataType('OMP-01')!)).to.equal('20110701103045');
  });

  it('names the reason a file is refused', () => {
    expect(why(Buffer.from([0xfb, 0xfc]))).to.equal('bad-encoding');
    expect(why(Buffer.from('MSH|^~\\&|A|B|C|D|||RDE^O11|1|P|2.5||||||~ISO IR87\r\x1b$B\xff\xff\x1b(B', 'latin1'))).to.equal('bad-encoding');
    expect(why(Buffer.from('PID|1||X'))).to.equal('unparseable');
    expect(why(encodeMessage(`${RDE}\rAL1\rMSH\r`, 'iso-2022-jp'))).to.equal('unparseable');
    const m = readStoredMessage(encodeMessage(RDE, 'iso-2022-jp'));
    expect(() => checkMessageType(m, dataType('OML-01')!)).to.throw(StoredMessageError, /RDE\^O11 is not stored as OML-01/);
    expect(why(encodeMessage(RDE.replace('9999013^^^^PI', '9999\x00013^^^^PI'), 'iso-2022-jp'))).to.equal('unparseable');
    expect(() => readStoredMessage(encodeMessage(RDE.replace('9999013^^^^PI', '9999\\X01\\013^^^^PI'), 'iso-2022-jp'))).to.throw(StoredMessageError, /control character in PID\^1\^3\^1\^1/);
  });
});
