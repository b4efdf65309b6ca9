import { expect } from 'chai';
import { formatSyslog, parseSyslog, SyslogParseError } from './rfc5424.ts';

const b = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

describe('RFC 5424 syslog message', () => {
  it('reads every header field, structured data with escapes, and MSG after its BOM', () => {
    const m = parseSyslog(
      Buffer.concat([
        b('<85>1 2024-04-01T09:30:00.123456+09:00 ehr.hosp-a.example EHR 4242 IHE+RFC-3881 [meta@32473 sequenceId="7" note="a \\"q\\" \\] \\\\ \\x"][origin ip="10.0.0.1"] '),
        Buffer.from([0xef, 0xbb, 0xbf]),
        b('<AuditMessage/>'),
      ]),
    );
    expect(m).to.deep.include({ facility: 10, severity: 5, version: 1, timestamp: '2024-04-01T09:30:00.123456+09:00', hostname: 'ehr.hosp-a.example', appName: 'EHR', procId: '4242', msgId: 'IHE+RFC-3881', bom: true });
    expect(m.structuredData).to.deep.equal([
      { id: 'meta@32473', params: [['sequenceId', '7'], ['note', 'a "q" ] \\ \\x']] },
      { id: 'origin', params: [['ip', '10.0.0.1']] },
    ]);
    expect(m.msg.toString()).to.equal('<AuditMessage/>');
  });

  it('takes NILVALUEs, no MSG, and MSG without a BOM', () => {
    const m = parseSyslog(b('<0>1 - - - - - -'));
    expect(m).to.deep.include({ facility: 0, severity: 0, timestamp: null, hostname: null, appName: null, procId: null, msgId: null, bom: false });
    expect(m.msg.length).to.equal(0);
    expect(parseSyslog(b('<191>1 2024-01-01T00:00:00Z h a p m - x y')).msg.toString()).to.equal('x y');
  });

  for (const [label, text] of [
    ['no PRI', '1 - - - - - - x'],
    ['PRI over 191', '<192>1 - - - - - - x'],
    ['PRI with a leading zero', '<085>1 - - - - - - x'],
    ['BSD syslog (RFC 3164)', '<85>Oct 11 22:14:15 host app: x'],
    ['version 2', '<85>2 - - - - - - x'],
    ['bad timestamp', '<85>1 2024-13-01T00:00:00Z h a p m - x'],
    ['timestamp without zone', '<85>1 2024-01-01T00:00:00 h a p m - x'],
    ['timestamp with 7 fraction digits', '<85>1 2024-01-01T00:00:00.1234567Z h a p m - x'],
    ['APP-NAME longer than 48', `<85>1 - h ${'a'.repeat(49)} p m - x`],
    ['MSGID longer than 32', `<85>1 - h a p ${'m'.repeat(33)} - x`],
    ['missing structured data', '<85>1 - h a p m'],
    ['unterminated SD-ELEMENT', '<85>1 - h a p m [x a="1" x'],
    ['unescaped ] in PARAM-VALUE', '<85>1 - h a p m [x a="]"] x'],
    ['no SP before MSG', '<85>1 - h a p m -x'],
    ['non-ASCII in HOSTNAME', '<85>1 - hö a p m - x'],
  ]) {
    it(`refuses ${label}`, () => {
      expect(() => parseSyslog(b(text))).to.throw(SyslogParseError, /RFC 5424/);
    });
  }

  it('writes what it reads', () => {
    const bytes = formatSyslog({ facility: 10, severity: 5, timestamp: '2024-01-01T00:00:00.000Z', hostname: 'hie host', appName: 'HIE', procId: '1', msgId: 'IHE+RFC-3881', msg: '<AuditMessage>監査</AuditMessage>' });
    const m = parseSyslog(bytes);
    expect(m).to.deep.include({ facility: 10, severity: 5, hostname: 'hie_host', appName: 'HIE', msgId: 'IHE+RFC-3881', bom: false });
    expect(m.msg.toString('utf8')).to.equal('<AuditMessage>監査</AuditMessage>');
  });
});
