import Encoding from 'encoding-japanese';
import { expect } from 'chai';
import { brokenIso2022jp, charsetFromName, declaredCharset, decodeMessage, encodeMessage, maskedHeader } from './charset.ts';
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

  describe('broken ISO-2022-JP (refused before decoding: the decoder would swallow the fields after the run)', () => {
    const MSH = 'MSH|^~\\&|A|B|C|D|||ADT^A04|1|P|2.5||||||~ISO IR87';
    const ESC_ASCII = '\x1b(B';
    /** The message in ISO-2022-JP with the return to ASCII after the n-th JIS run taken out. */
    const withoutReturn = (text: string, n = 0) => {
      const bytes = jis(text).toString('latin1');
      let at = -1;
      for (let i = 0; i <= n; i++) at = bytes.indexOf(ESC_ASCII, at + 1);
      return Buffer.from(bytes.slice(0, at) + bytes.slice(at + 3), 'latin1');
    };
    const refusal = (bytes: Buffer) => {
      try {
        decodeMessage(bytes, 'iso-2022-jp');
      } catch (e) {
        const err = e as Hl7ProcessingError;
        return { ack: err.ack, code: err.details[0].code, location: err.details[0].location, text: err.details[0].text };
      }
      return undefined;
    };

    it('a run that does not return to ASCII before the segment ends: AR 102 at the field it starts in', () => {
      const bytes = withoutReturn(`${MSH}\rEVN|A04|20240101\rPID|1||X1^^^H&1.2&ISO||山田太郎||19700101|M\r`);
      // What the decoder alone makes of it: the birth date and sex become part of the name.
      expect(new TextDecoder('iso-2022-jp').decode(bytes)).to.not.contain('19700101');
      expect(refusal(bytes)).to.deep.include({ ack: 'AR', code: 102, location: { segment: 'PID', sequence: 1, field: 5 } });
      expect(refusal(bytes)!.text).to.match(/does not return to ASCII/);
    });

    it('a run at the end of the message, an escape that designates nothing ISO-2022-JP knows, an odd JIS X 0208 byte count', () => {
      const atEnd = Buffer.concat([jis(`${MSH}\rPID|1||X1`), Buffer.from('|\x1b$B;3', 'latin1')]);
      expect(refusal(atEnd)).to.deep.include({ code: 102, location: { segment: 'PID', sequence: 1, field: 4 } });
      const badEscape = Buffer.from(`${MSH}\rPID|1||X1||\x1b$A;3ED\x1b(B\r`, 'latin1');
      expect(refusal(badEscape)).to.deep.include({ code: 102, location: { segment: 'PID', sequence: 1, field: 5 } });
      expect(refusal(badEscape)!.text).to.match(/no ISO-2022-JP designation/);
      const odd = Buffer.from(`${MSH}\rPID|1||X1||\x1b$B;3E\x1b(B|19700101\r`, 'latin1');
      expect(refusal(odd)).to.deep.include({ code: 102, location: { segment: 'PID', sequence: 1, field: 5 } });
      expect(refusal(odd)!.text).to.match(/odd number of bytes/);
      const inHeader = Buffer.from(`MSH|^~\\&|\x1b$B;3|B|C|D|||ADT^A04|1|P|2.5||||||~ISO IR87\r`, 'latin1');
      expect(refusal(inHeader)).to.deep.include({ code: 102, location: { segment: 'MSH', sequence: 1, field: 3 } });
    });

    it('leaves well-formed messages alone: runs closed by ESC ( B or ESC ( J, katakana, delimiters inside runs', () => {
      const text = `${MSH}\rPID|1||X1||患者^太郎~ｶﾝｼﾞｬ^ﾀﾛｳ||19700101|M\rNTE|1||淫緯\r`;
      expect(brokenIso2022jp(jis(text))).to.equal(undefined);
      expect(brokenIso2022jp(Buffer.from(`${MSH}\rPID|1||X1||\x1b$B;3ED\x1b(J|19700101\r`, 'latin1'))).to.equal(undefined);
      expect(decodeMessage(jis(text), 'iso-2022-jp')).to.equal(text);
    });
  });
});
