import { expect } from 'chai';
import { receivedAuditXml } from '../../../test/helpers/auditMessages.ts';
import { syslogMessage } from '../../../test/helpers/syslog.ts';
import { DomainDirectory } from '../../identity/domainDirectory.ts';
import { validate } from '../../server/config/load.ts';
import type { AuditRecord } from '../../store/types.ts';
import { ReceivedAuditReader } from './receivedAudit.ts';

const N = '123456789018';
const reader = (screening = false) =>
  new ReceivedAuditReader(new DomainDirectory(validate({ identity: { token: { issuerKey: 'k'.repeat(32) }, individualNumber: { freeTextScreening: { enabled: screening } } } }).identity));
const read = (bytes: Buffer, screening = false) => reader(screening).fromSyslog({ transport: 'syslog-tcp', peer: { address: '127.0.0.1', port: 1 }, receivedAt: '2024-01-01T00:00:00Z', bytes });
const kept = (r: AuditRecord) => [r.xml, r.envelope ?? '', r.error ?? '', r.raw?.toString('utf8') ?? '', ...r.patientIds, ...(r.objects ?? []).map((o) => o.id), JSON.stringify(r.agents ?? [])].join('\n');
const refs = (hex: boolean) => [...N].map((d) => (hex ? `&#x3${d};` : `&#${48 + Number(d)};`)).join('');

describe('ITI-20 intake never keeps an individual number', () => {
  it('masks a ParticipantObjectID written in character references, read on the decoded value', () => {
    for (const hex of [true, false]) {
      const xml = receivedAuditXml({ patients: ['P^^^&urn:oid:2.999.392.1.9&ISO'] }).replace('"P^^^', `"${refs(hex)}^^^`);
      const r = read(syslogMessage(xml));
      expect(r.status).to.equal('valid');
      expect(r.error).to.match(/individual numbers masked/);
      expect(kept(r)).to.not.contain(N).and.not.contain(refs(hex));
      expect(r.patientIds[0]).to.equal('XXXXXXXXXXXX^^^&urn:oid:2.999.392.1.9&ISO');
    }
  });

  it('masks 12 digits with a valid check digit in the host name and in structured data', () => {
    const sd = Buffer.from(syslogMessage(receivedAuditXml(), { hostname: `h-${N}` }).toString().replace(' - <', ` [x@1 n="${N}"] <`));
    const r = read(sd);
    expect(r.status).to.equal('valid');
    expect(kept(r)).to.not.contain(N);
    expect(JSON.parse(r.envelope!).hostname).to.equal('h-XXXXXXXXXXXX');
  });

  it('masks a user name only when free-text screening is on', () => {
    const m = syslogMessage(receivedAuditXml({ userName: `山田 ${N}` }));
    expect(read(m).xml).to.contain(N);
    expect(kept(read(m, true))).to.not.contain(N);
  });

  it('keeps what cannot be read raw, without the number', () => {
    const r = read(syslogMessage(`<AuditMessage>${refs(true)}^^^MYNUMBER and ${N}`));
    expect(r.status).to.equal('unparsed');
    expect(kept(r)).to.not.contain(N).and.not.contain(refs(true));
  });
});
