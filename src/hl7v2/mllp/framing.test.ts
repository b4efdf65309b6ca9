import { expect } from 'chai';
import { frame, MllpDecoder, type MllpEvent } from './framing.ts';

const msg = (s: string) => Buffer.from(s, 'latin1');
const messages = (events: MllpEvent[]) =>
  events.filter((e) => e.kind === 'message').map((e) => (e as { bytes: Buffer }).bytes.toString('latin1'));

describe('MLLP framing', () => {
  it('reads several frames arriving in one chunk', () => {
    const d = new MllpDecoder(1 << 20);
    const chunk = Buffer.concat([frame(msg('MSH|1')), frame(msg('MSH|2')), frame(msg('MSH|3'))]);
    expect(messages(d.push(chunk))).to.deep.equal(['MSH|1', 'MSH|2', 'MSH|3']);
  });

  it('reads a frame split across chunks at every byte boundary', () => {
    const whole = Buffer.concat([frame(msg('MSH|abc\rPID|1')), frame(msg('MSH|x'))]);
    for (let cut = 1; cut < whole.length; cut++) {
      const d = new MllpDecoder(1 << 20);
      const got = [...d.push(whole.subarray(0, cut)), ...d.push(whole.subarray(cut))];
      expect(messages(got), `cut at ${cut}`).to.deep.equal(['MSH|abc\rPID|1', 'MSH|x']);
      expect(got.filter((e) => e.kind !== 'message')).to.deep.equal([]);
    }
  });

  it('reads a frame delivered one byte at a time', () => {
    const d = new MllpDecoder(1 << 20);
    const whole = frame(msg('MSH|one byte at a time'));
    const got: MllpEvent[] = [];
    for (const b of whole) got.push(...d.push(Buffer.from([b])));
    expect(messages(got)).to.deep.equal(['MSH|one byte at a time']);
  });

  it('keeps bytes that look like delimiters inside ISO-2022-JP text', () => {
    const d = new MllpDecoder(1 << 20);
    const jis = Buffer.from([0x1b, 0x24, 0x42, 0x45, 0x6c, 0x35, 0x7e, 0x1b, 0x28, 0x42]);
    const body = Buffer.concat([msg('MSH|'), jis]);
    const got = d.push(frame(body));
    expect((got[0] as { bytes: Buffer }).bytes.equals(body)).to.equal(true);
  });

  it('reports garbage before a frame and still reads the frame', () => {
    const d = new MllpDecoder(1 << 20);
    const got = d.push(Buffer.concat([msg('noise'), frame(msg('MSH|ok'))]));
    expect(got[0]).to.deep.equal({ kind: 'garbage', size: 5, whitespace: false });
    expect(messages(got)).to.deep.equal(['MSH|ok']);
  });

  it('reports garbage that never reaches a frame, but not blank lines between frames', () => {
    const d = new MllpDecoder(1 << 20);
    expect(d.push(msg('GET / HTTP/1.1\r\n'))).to.deep.equal([{ kind: 'garbage', size: 16, whitespace: false }]);
    const d2 = new MllpDecoder(1 << 20);
    const got = d2.push(Buffer.concat([frame(msg('MSH|a')), msg('\n'), frame(msg('MSH|b'))]));
    expect(messages(got)).to.deep.equal(['MSH|a', 'MSH|b']);
    expect(got.filter((e) => e.kind === 'garbage')).to.deep.equal([{ kind: 'garbage', size: 1, whitespace: true }]);
  });

  it('skips an oversize frame to its end, keeping its head, and reads the next one', () => {
    const d = new MllpDecoder(10);
    const big = 'MSH|' + 'x'.repeat(100);
    const got = d.push(Buffer.concat([frame(msg(big)), frame(msg('MSH|small'))]));
    expect(got[0].kind).to.equal('oversize');
    expect((got[0] as { head: Buffer; size: number }).size).to.equal(big.length);
    expect((got[0] as { head: Buffer }).head.toString('latin1').startsWith('MSH|xx')).to.equal(true);
    expect(messages(got)).to.deep.equal(['MSH|small']);
  });

  it('reports a frame cut short by a new start block', () => {
    const d = new MllpDecoder(1 << 20);
    const got = d.push(Buffer.concat([Buffer.from([0x0b]), msg('MSH|cut'), frame(msg('MSH|next'))]));
    expect(got[0].kind).to.equal('truncated');
    expect(messages(got)).to.deep.equal(['MSH|next']);
  });
});
