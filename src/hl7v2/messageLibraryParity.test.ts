/**
 * Hl7v2Message.parse reads delimiters itself and runs the `hl7v2` package's full parse only when
 * the text holds a \M or \m escape, on the claim that (lenient mode) the package refuses nothing
 * else but a header too short to hold MSH-2. Mutated messages and edge cases check the claim: the
 * model refuses as "cannot be parsed" exactly what the package refuses, and otherwise reads the
 * package's own delimiters.
 */
import { expect } from 'chai';
import { HL7Message } from 'hl7v2';
import { Hl7ProcessingError } from './errors.ts';
import { Hl7v2Message } from './message.ts';

const BASES = [
  'MSH|^~\\&|HIS_1|HOSP_1|HIE|REGION|20240401093000||ADT^A04^ADT_A01|X1|P|2.5||||||UNICODE UTF-8\rEVN||20240401093000\rPID|1||P01^^^HOSP_1&1.2.392.1&ISO^PI||山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P||19570312|M|||西新宿2-8-1^^新宿区^東京都^160-0023^JPN^H||^PRN^PH^^^^^^^^^03-1234-5678\rPV1|1|O',
  'MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101120000||ADT^A40^ADT_A39|C|P|2.3.1\rEVN|A40|20240101\rPID|1||A^^^H&1.2&ISO||YAMADA^TARO||19700101|M\rMRG|B^^^H&1.2&ISO',
  'MSH|^~\\&|PDQ|CLINIC|HIE|REGION|20240101120000||QBP^Q22^QBP_Q21|C|P|2.5\rQPD|IHE PDQ Query|T|@PID.5.1.1^カン*~@PID.7^19700101\rRCP|I|10^RD\rDSC|abc|I',
  'MSH|#!$%|A|B|C|D|20240101||ADT#A04|C9|P|2.4\rPID|1||X!Y#1||Z',
];
const PIECES = ['|', '^', '~', '\\', '&', '\\F\\', '\\S\\', '\\X41\\', '\\M41\\', '\\M4142\\', '\\m4\\', '\\C41\\', '\\X\\', '\\H\\', '\\.br\\', '""', 'ZZZ|', '\rZ1|a', '\r|', '9.9', '', 'abc', '\x00', '20241399', '\rEVN|', '\\Xzz\\', '\\E\\', '\\M\\', '#', '!', '\r'];
const EDGES = ['MSH\rPID|1|2|3', 'MSH|\rPID|1', 'MSH|^\rPID|1', 'MSH|^~\rPID|1', 'MSH|^~\\\rPID|1', 'MSHX^~\\&XAXBXCXDX2024XXADT^A04XC1XPX2.5', 'MSH|^~\\&|A|B', 'MSH|||||||||ADT^A04|C|P|2.5', 'MSH|^~\\&\r\\M41\\'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cannotBeParsed = (e: unknown) => e instanceof Hl7ProcessingError && e.details[0].text.startsWith('Message cannot be parsed');

function compare(text: string): 'refused' | 'accepted' | 'skipped' {
  // What Hl7v2Message.parse hands the package, after its own checks.
  const normalized = text.replace(/\r\n|\n\r|\n/g, '\r').replace(/^[\s\x00]+/, '').replace(/[\r\s]+$/, '');
  if (!normalized.startsWith('MSH') || normalized.length < 8 || normalized.indexOf(`\rMSH${normalized[3]}`) >= 0) return 'skipped';
  let lib: HL7Message | undefined;
  try {
    lib = HL7Message.parse(normalized);
  } catch {
    let err: unknown;
    try {
      Hl7v2Message.parse(text);
    } catch (e) {
      err = e;
    }
    expect(cannotBeParsed(err), `the package refuses ${JSON.stringify(normalized)}, so must the model`).to.equal(true);
    return 'refused';
  }
  let ours: Hl7v2Message;
  try {
    ours = Hl7v2Message.parse(text);
  } catch (e) {
    expect(cannotBeParsed(e), `the package accepts ${JSON.stringify(normalized)}: ${String(e)}`).to.equal(false);
    return 'accepted'; // refused by the model's own header checks (MSH-9..12), as before
  }
  expect(ours.delimiters).to.deep.equal({
    field: lib.fieldSeparator,
    component: lib.componentSeparator,
    repetition: lib.repetitionSeparator,
    escape: lib.escapeCharacter,
    subcomponent: lib.subComponentSeparator,
  });
  return 'accepted';
}

describe('HL7 v2 message model: parity with the hl7v2 package', () => {
  it('refuses exactly what the package refuses, and reads the same delimiters', () => {
    const rnd = mulberry32(20240401);
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      let text = BASES[Math.floor(rnd() * BASES.length)];
      for (let j = 1 + Math.floor(rnd() * 4); j > 0; j--) {
        const at = 9 + Math.floor(rnd() * (text.length - 9));
        const piece = PIECES[Math.floor(rnd() * PIECES.length)];
        text = text.slice(0, at) + piece + text.slice(rnd() < 0.7 ? at : at + 1 + Math.floor(rnd() * 5));
      }
      if (compare(text) === 'refused') refused++;
    }
    expect(refused, 'the mutations reach the package refusals').to.be.greaterThan(20);
  });

  it('agrees on short and odd headers', () => {
    expect(EDGES.map(compare)).to.include('refused');
  });
});
