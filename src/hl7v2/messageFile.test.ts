import { expect } from 'chai';
import { frame } from './mllp/framing.ts';
import { splitMessages } from './messageFile.ts';

describe('message files', () => {
  it('splits plain files at lines starting with MSH, whatever the line ends', () => {
    const text = 'MSH|^~\\&|A\rPID|1\r\nMSH|^~\\&|B\nPID|2\n\n';
    expect(splitMessages(Buffer.from(text)).map((b) => b.toString())).to.deep.equal(['MSH|^~\\&|A\rPID|1', 'MSH|^~\\&|B\nPID|2']);
  });

  it('splits MLLP-framed files by frame', () => {
    const bytes = Buffer.concat([frame(Buffer.from('MSH|1')), Buffer.from('\n'), frame(Buffer.from('MSH|2'))]);
    expect(splitMessages(bytes).map((b) => b.toString())).to.deep.equal(['MSH|1', 'MSH|2']);
  });

  it('does not split inside ISO-2022-JP text', () => {
    // ESC $ B, then the JIS bytes "MSH" (a kanji pair and a half), ESC ( B
    const jis = Buffer.concat([Buffer.from('MSH|^~\\&|A\rPID|1||'), Buffer.from([0x1b, 0x24, 0x42, 0x4d, 0x53, 0x48, 0x4d, 0x1b, 0x28, 0x42]), Buffer.from('\r')]);
    expect(splitMessages(jis)).to.have.length(1);
  });
});
