import Encoding from 'encoding-japanese';
import { expect } from 'chai';
import { charsetFromName, declaredCharset, decodeMessage, encodeMessage, maskedHeader } from './charset.ts';
import { Hl7ProcessingError } from './errors.ts';

const jis = (s: string) => Buffer.from(Encoding.convert(Encoding.stringToCode(s), { to: 'JIS', from: 'UNICODE' }));

describe('HL7 v2 character sets (MSH-18)', () => {
  it('knows the spellings hospitals use for ISO IR87', () => {
    for (const name of ['ISO IR87', 'ISO_IR 87', 'ISO-IR87', 'iso ir87', 'ISO 2022-1994', 'ISO-2022-JP']) {
      expect(charsetFromName(name), name).to.equal('iso-2022-jp');
    }
    expect(charsetFromName('UNICODE UTF-8')).to.equal('utf-8');
    expect(charsetFromName('ASCII')).to.equal('ascii');
    expect(charsetFromName('EBCDIC')).to.equal(undefined);
  });

  it('reads MSH-18 with every repetition: ~ISO IR87 is ASCII plus JIS X 0208', () => {
    const msg = jis('MSH|^~\\&|A|B|C|D|||ADT^A08|1|P|2.5||||||~ISO IR87||ISO 2022-1994\rPID|1||1||患者^太郎');
    expect(declaredCharset(msg, 'utf-8')).to.deep.equal({ charset: 'iso-2022-jp', msh18: '~ISO IR87' });
    expect(decodeMessage(msg, 'iso-2022-jp')).to.contain('患者^太郎');
  });

  it('masks JIS runs so that their | and ^ bytes never split the header', () => {
    // In JIS X 0208, 淫 is the bytes 0x30 0x7C ("0|") and 緯 0x30 0x5E ("0^").
    const tricky = jis('MSH|^~\\&|淫緯|淫|C|D|||ADT^A08|1|P|2.5||||||ISO IR87');
    expect(tricky.includes(Buffer.from([0x30, 0x7c]))).to.equal(true);
    const header = maskedHeader(tricky);
    expect(header.split('|')[17]).to.equal('ISO IR87');
    expect(header.split('|')).to.have.length(18);
  });

  it('falls back to the configured charset when MSH-18 is empty, and to ISO-2022-JP when escapes are present', () => {
    expect(declaredCharset(Buffer.from('MSH|^~\\&|A|B|C|D|||ADT^A04|1|P|2.5'), 'utf-8').charset).to.equal('utf-8');
    expect(declaredCharset(jis('MSH|^~\\&|A|B|C|D|||ADT^A04|1|P|2.5\rPID|1||1||山田'), 'utf-8').charset).to.equal('iso-2022-jp');
  });

  it('refuses an unknown MSH-18 value with AR 103 at its repetition', () => {
    try {
      declaredCharset(Buffer.from('MSH|^~\\&|A|B|C|D|||ADT^A04|1|P|2.5||||||ASCII~KLINGON'), 'utf-8');
      expect.fail('should refuse');
    } catch (e) {
      expect(e).to.be.instanceOf(Hl7ProcessingError);
      const err = e as Hl7ProcessingError;
      expect(err.ack).to.equal('AR');
      expect(err.details[0].code).to.equal(103);
      expect(err.details[0].location).to.deep.equal({ segment: 'MSH', field: 18, repetition: 2 });
    }
  });

  it('refuses bytes that are not valid in the declared charset', () => {
    expect(() => decodeMessage(Buffer.from([0x4d, 0x53, 0x48, 0xff]), 'utf-8')).to.throw(Hl7ProcessingError);
  });

  it('encodes answers back in ISO-2022-JP byte for byte', () => {
    const text = 'PID|1||1||患者^太郎~カンジャ^タロウ';
    expect(encodeMessage(text, 'iso-2022-jp').equals(jis(text))).to.equal(true);
    expect(decodeMessage(encodeMessage(text, 'iso-2022-jp'), 'iso-2022-jp')).to.equal(text);
  });
});
