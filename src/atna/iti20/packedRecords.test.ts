/** Records packed on a reader thread arrive as the same records, through structured cloning. */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { expect } from 'chai';
import type { AuditRecord } from '../../store/types.ts';
import { receivedAuditXml } from '../../../test/helpers/auditMessages.ts';
import { syslogMessage } from '../../../test/helpers/syslog.ts';
import { DomainDirectory } from '../../identity/domainDirectory.ts';
import { validate } from '../../server/config/load.ts';
import { packRecords, pendingPacked, readRecords, unpackRecords } from './packedRecords.ts';
import { packBatch, readBatch, readBatchPacked } from './readerBatch.ts';
import { ReceivedAuditReader, type ReceivedSyslog } from './receivedAudit.ts';

const valid: AuditRecord = {
  eventTime: '2024-04-01T00:00:00.000Z',
  eventId: '110112',
  eventTypeCode: 'ITI-9',
  action: 'E',
  outcome: 0,
  origin: 'syslog-tls 10.0.0.1 CN=ehr',
  xml: '<AuditMessage UserName="佐藤 花子"/>',
  patientIds: ['P1^^^HOSP_A&1.2.3&ISO', 'P2^^^HOSP_B&1.2.4&ISO'],
  status: 'valid',
  transport: 'syslog-tls',
  sourceId: 'HOSP_A_EHR',
  envelope: '{"facility":10}',
  moreEventTypeCodes: ['ITI-21', ''],
  agents: [
    { userId: 'HOSP_A|EHR', userName: '', altUserId: '', networkAccessPoint: '10.0.0.1', requestor: true },
    { userId: 'REGION|HIE', userName: 'hie', altUserId: '4242', networkAccessPoint: '', requestor: false },
  ],
  objects: [
    { id: 'Q1', typeCode: 2, roleCode: 24, idTypeCode: 'ITI-9' },
    { id: '', typeCode: null, roleCode: null, idTypeCode: '' },
  ],
};
const marked: AuditRecord = { ...valid, sender: 'hosp-a', senderMark: 'source-not-sender' };
const invalid: AuditRecord = { ...valid, status: 'invalid', error: 'line 1: missing child element', raw: Buffer.from('<85>1 raw bytes'), moreEventTypeCodes: [], agents: [], objects: [] };
const unparsed: AuditRecord = {
  eventTime: '2026-01-01T00:00:00.000Z',
  eventId: '',
  eventTypeCode: '',
  action: '',
  outcome: -1,
  origin: 'syslog-udp 10.0.0.2',
  xml: '',
  patientIds: [],
  status: 'unparsed',
  error: 'not well-formed XML',
  raw: Buffer.from([0xff, 0xfe, 0x00]),
  transport: 'syslog-udp',
};
const own: AuditRecord = { ...unparsed, status: undefined, error: undefined, raw: undefined, format: 'fhir', transport: undefined };

/** The fields a record has, undefined ones left out (the store reads them alike). */
const defined = (r: AuditRecord) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));

describe('packed audit records (reader thread to main thread)', () => {
  it('arrive as the records that were packed, raw bytes as Buffers', () => {
    const records = [valid, invalid, unparsed, own, marked, { ...unparsed, senderMark: 'unknown-sender' as const }, valid];
    const { port1, port2 } = new MessageChannel();
    try {
      port1.postMessage(packRecords(records));
      const back = unpackRecords(receiveMessageOnPort(port2)!.message);
      expect(back.map(defined)).to.deep.equal(records.map(defined));
      expect(Buffer.isBuffer(back[1].raw)).to.equal(true);
      expect(Buffer.isBuffer(back[2].raw)).to.equal(true);
      expect(back[0].raw).to.equal(undefined);
      expect(back[2].agents).to.equal(undefined);
    } finally {
      port1.close();
    }
  });

  it('an empty batch', () => {
    expect(unpackRecords(packRecords([]))).to.deep.equal([]);
  });

  it('wait for the store packed: counted at once, unpacked (afresh) only when written', () => {
    const packed = packRecords([valid, invalid, unparsed]);
    // Its numbers outside V8's heap (a typed array), so that waiting they cost the collector nothing.
    expect(packed.numbers).to.be.instanceOf(Int32Array);
    const pending = pendingPacked(packed, new Uint8Array());
    expect(pending.count).to.equal(3);
    const first = pending.records();
    expect(first.map(defined)).to.deep.equal([valid, invalid, unparsed].map(defined));
    // A write that failed and is tried again unpacks the same records again, new objects.
    const again = pending.records();
    expect(again.map(defined)).to.deep.equal(first.map(defined));
    expect(again[0]).to.not.equal(first[0]);
    const read = readRecords([valid]);
    expect([read.count, read.records()]).to.deep.equal([1, [valid]]);
  });

  it('leave the XML behind when it is the MSG as it came, and the main thread reads it from the batch: the records of the fallback', () => {
    const reader = new ReceivedAuditReader(new DomainDirectory(validate({}).identity));
    const peer = { address: '10.0.0.1', port: 514, certificateSubject: 'ehr' };
    const at = (i: number) => `2026-01-01T00:00:0${i}.000Z`;
    const messages: ReceivedSyslog[] = [
      syslogMessage(receivedAuditXml({ userName: '佐藤 花子' })),
      syslogMessage(receivedAuditXml({ patients: ['MN1^^^HOSP_A'] }), { bom: true }),
      // An individual number, masked: this XML is not the MSG and travels as text.
      syslogMessage(receivedAuditXml({ patients: ['123456789018^^^&2.999.392.1.9&ISO'] })),
      syslogMessage('<AuditMessage><EventIdentification/></AuditMessage>'),
      Buffer.from('not syslog at all'),
      syslogMessage('<AuditMessage'),
    ].map((bytes, i) => ({ transport: 'syslog-tls', peer, receivedAt: at(i), bytes }));
    const batch = packBatch(7, messages);
    const packed = readBatchPacked(reader, batch);
    // Only the masked message's XML travels as text; the others are left in the batch's bytes.
    expect(packed.text.split('<AuditMessage').length - 1).to.equal(1);
    const { port1, port2 } = new MessageChannel();
    try {
      port1.postMessage(packed);
      const back = unpackRecords(receiveMessageOnPort(port2)!.message, batch.bytes);
      // The XML left behind comes as that part of the batch's bytes, undecoded; the masked one as text.
      expect(back.map((r) => Buffer.isBuffer(r.xml))).to.deep.equal([true, true, false, true, false, false]);
      const asText = (r: AuditRecord) => defined({ ...r, xml: r.xml.toString() });
      const fallback = readBatch(reader, batch);
      expect(back.map(asText)).to.deep.equal(fallback.map(defined));
      expect(back[0].xml.toString()).to.contain('佐藤 花子');
      expect(back[2].xml).to.not.contain('123456789018');
      expect(back.map((r) => r.status)).to.deep.equal(['valid', 'valid', 'valid', 'invalid', 'unparsed', 'unparsed']);
    } finally {
      port1.close();
    }
  });
});
