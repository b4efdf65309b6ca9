import { expect } from 'chai';
import { OctetCountingDecoder, type Frame } from './octetCounting.ts';

const frame = (s: string) => `${Buffer.byteLength(s)} ${s}`;
const texts = (fs: Frame[]) => fs.map((f) => (f.kind === 'message' ? f.bytes.toString() : f.kind));

describe('octet-counted syslog framing (RFC 5425 4.3)', () => {
  it('takes several frames in one chunk', () => {
    const d = new OctetCountingDecoder(1000);
    expect(texts(d.push(Buffer.from(frame('<85>1 a') + frame('<85>1 監査') + frame('x'))))).to.deep.equal(['<85>1 a', '<85>1 監査', 'x']);
    expect(d.unfinished()).to.equal(undefined);
    expect(d.midFrame).to.equal(false);
  });

  it('joins a frame split across chunks, anywhere, even inside MSG-LEN or a UTF-8 character', () => {
    const all = Buffer.from(frame('<85>1 first 監査') + frame('<85>1 second'));
    for (let cut = 1; cut < all.length; cut++) {
      const d = new OctetCountingDecoder(1000);
      const out = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(texts(out), `cut at ${cut}`).to.deep.equal(['<85>1 first 監査', '<85>1 second']);
    }
    const d = new OctetCountingDecoder(1000);
    const out: Frame[] = [];
    for (const [i, byte] of all.entries()) {
      out.push(...d.push(Buffer.from([byte])));
      expect(d.midFrame, `after byte ${i}`).to.equal(d.unfinished() !== undefined);
    }
    expect(texts(out), 'byte by byte').to.deep.equal(['<85>1 first 監査', '<85>1 second']);
    expect(d.midFrame).to.equal(false);
  });

  it('skips a frame over the limit by its length, keeps its head, and goes on with the next', () => {
    const d = new OctetCountingDecoder(10);
    const out = d.push(Buffer.from(frame('x'.repeat(25)) + frame('ok')));
    expect(out[0]).to.deep.include({ kind: 'oversize', size: 25 });
    expect((out[0] as { head: Buffer }).head.toString()).to.equal('x'.repeat(10));
    expect(texts(out.slice(1))).to.deep.equal(['ok']);
  });

  it('reports an unfinished frame: how much of it came', () => {
    const d = new OctetCountingDecoder(100);
    expect(d.push(Buffer.from('20 <85>1 half'))).to.deep.equal([]);
    expect(d.midFrame).to.equal(true);
    const u = d.unfinished()!;
    const inLength = new OctetCountingDecoder(100);
    inLength.push(Buffer.from('2'));
    expect(inLength.midFrame, 'inside MSG-LEN').to.equal(true);
    expect(u.bytes.toString()).to.equal('<85>1 half');
    expect([u.received, u.expected]).to.deep.equal([10, 20]);
  });

  for (const [label, bytes] of [
    ['non-transparent framing', '<85>1 - - - - - - x\n'],
    ['a leading zero', '05 hello'],
    ['an endless MSG-LEN', '12345678901 x'],
    ['a missing SP', '5\nhello'],
  ]) {
    it(`stops at ${label}, keeping the bytes`, () => {
      const d = new OctetCountingDecoder(100);
      const out = d.push(Buffer.from(frame('ok') + bytes));
      expect(texts(out)).to.deep.equal(['ok', 'invalid']);
      const bad = out[1] as { bytes: Buffer; reason: string };
      expect(bad.bytes.toString()).to.equal(bytes);
      expect(bad.reason).to.match(/octet-counted/);
      expect(d.push(Buffer.from(frame('later')))).to.deep.equal([]);
    });
  }
});
