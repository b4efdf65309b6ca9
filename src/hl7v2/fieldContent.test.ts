import { expect } from 'chai';
import { findControlCharacter } from './fieldContent.ts';
import { Hl7v2Message } from './message.ts';

const MSH = 'MSH|^~\\&|A|B|C|D|20240101||ADT^A04|1|P|2.5';
const msg = (...segs: string[]) => Hl7v2Message.parse([MSH, ...segs].join('\r'));

describe('control characters in fields', () => {
  it('finds a raw or hex-escaped control character, naming segment, field, repetition, component and subcomponent', () => {
    expect(findControlCharacter(msg('PID|1||X^^^H&1.2&ISO~Y\x00^^^H&1.2&ISO'))).to.deep.equal({ segment: 'PID', sequence: 1, field: 3, repetition: 2, component: 1, subcomponent: undefined });
    expect(findControlCharacter(msg('PID|1||X^^^H\\X07\\&1.2&ISO'))).to.deep.equal({ segment: 'PID', sequence: 1, field: 3, repetition: 1, component: 4, subcomponent: 1 });
    expect(findControlCharacter(msg('PID|1||X', 'NTE|1||a\x7fb'))).to.include({ segment: 'NTE', field: 3 });
  });

  it('lets a tab and escaped line breaks through in text, never in an identifier', () => {
    expect(findControlCharacter(msg('PID|1||X|||||||1-2\t3^^Tokyo', 'NTE|1||line\\.br\\two\\X0D0A\\three'))).to.equal(undefined);
    expect(findControlCharacter(msg('PID|1||X\tY'))).to.include({ field: 3 });
    expect(findControlCharacter(msg('QPD|IHE PDQ Query|T1|@PID.5.1.1^A\\X0A\\B'))).to.include({ segment: 'QPD', field: 3, component: 2 });
  });

  it('reads MSH from MSH-3 on (MSH-1 and MSH-2 are the delimiters)', () => {
    expect(findControlCharacter(Hl7v2Message.parse('MSH|^~\\&|A\x01|B|C|D|20240101||ADT^A04|1|P|2.5'))).to.include({ segment: 'MSH', field: 3 });
    expect(findControlCharacter(msg('PID|1||X'))).to.equal(undefined);
  });
});
