/**
 * The individual number is never stored, logged or echoed (issue 15, part 1). A real server with
 * every listener this test can reach (MLLP, SOAP and FHIR over HTTP, syslog over TLS, TCP and UDP)
 * is sent a valid individual number by every path found to let one in, each spelled as an attacker
 * did: the individual-number OID as urn:oid: in any case, the domain named by namespace only, an XDS
 * submission's sourcePatientId and sourcePatientInfo, stored-query and ITI-81 parameters, syslog
 * messages with character references, the number in structured data or the host name, FHIR
 * AuditEvent identifiers, messages that cannot be read. Each request gets its protocol's refusal
 * (or, for audit intake, is kept masked). Then every byte the server wrote (database, -wal, -shm,
 * blobs, spool, its log lines) is searched for every number in every spelling: zero hits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startApp, type App } from '../../src/server/app.ts';
import { validate } from '../../src/server/config/load.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { auditMessageXml } from '../../src/audit/auditMessage.ts';
import { receivedAudit, receivedAuditXml } from '../helpers/auditMessages.ts';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';
import { fhir, postJson } from '../helpers/fhir.ts';
import { decodeReply, field, tempDir } from '../helpers/hieServer.ts';
import { filesUnder, findNumbers, individualNumber } from '../helpers/individualNumbers.ts';
import { adt, pdqQuery, pixQuery } from '../helpers/messages.ts';
import { octetCounted, sendSyslogDatagram, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';
import { ACTIONS, affinityConfig, errorCodes, NIST_AFFINITY, pid, registryResponseOf, STATUS, XdsClient, type Reply } from '../helpers/xds.ts';
import { provideAndRegisterRequest, submitObjectsRequest } from '../helpers/xdsMetadata.ts';
import { findDocuments, QUERY, storedQuery } from '../helpers/xdsQuery.ts';

const MN_OID = '2.999.392.1.9';
const numbers: string[] = [];
/** A new valid individual number for one vector. */
const next = () => {
  const n = individualNumber(`3141592${String(numbers.length).padStart(4, '0')}`);
  numbers.push(n);
  return n;
};
/** Not an individual number (a wrong check digit): the search must find it, or it searches nothing. */
const CONTROL = (() => {
  const n = individualNumber('27182818284');
  return n.slice(0, 11) + ((Number(n[11]) + 1) % 10);
})();
const hexRefs = (n: string) => [...n].map((d) => `&#x3${d};`).join('');
const decRefs = (n: string) => [...n].map((d) => `&#${48 + Number(d)};`).join('');

describe('The individual number never gets in (e2e, every listener)', function () {
  this.timeout(120_000);
  let certs: TestCerts;
  let app: App;
  let dataDir: string;
  let mllp: MllpClient;
  let c: XdsClient;
  let fhirBase: string;
  const logLines: string[] = [];
  const answers: string[] = [];

  const send = async (message: string) => {
    const reply = decodeReply(await mllp.send(Buffer.from(message, 'utf8')));
    answers.push(reply);
    return reply;
  };
  const keep = (r: Reply) => {
    answers.push(r.xml);
    return r;
  };
  const expectRegistryFailure = (r: Reply, code: string) => {
    const rr = r.body.local === 'AdhocQueryResponse' ? r.body : registryResponseOf(r.body);
    expect(rr.attrs.status, r.xml.slice(0, 1500)).to.equal(STATUS.failure);
    expect(errorCodes(rr)).to.not.be.empty;
    expect(new Set(errorCodes(rr))).to.deep.equal(new Set([code]));
  };
  const syslogTls = () => ({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
  const received = async () => {
    await app.atna.ingest.flushed();
    return (await app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport !== 'self');
  };

  before(async () => {
    certs = makeCerts();
    dataDir = tempDir('hie-mn-');
    const config = validate({
      ...affinityConfig(),
      dataDir,
      mllp: { port: 0 },
      http: { port: 0 },
      syslog: { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true, port: 0 }, tcp: { port: 0 }, udp: { port: 0 } },
      identity: {
        token: { issuerKey: 'test-issuer-key-0123456789abcdef' },
        regional: { authority: { namespace: 'AFFINITY', oid: NIST_AFFINITY } },
        individualNumber: { freeTextScreening: { enabled: true } },
      },
    });
    app = await startApp(config, createLogger('debug', (line) => logLines.push(line)));
    mllp = await MllpClient.connect({ host: '127.0.0.1', port: app.ports.mllp!, replyTimeoutMs: 10_000 });
    c = new XdsClient(app.ports.http!);
    fhirBase = `http://127.0.0.1:${app.ports.http}/fhir`;
    const ack = await send(adt({ ids: [`MN-P1^^^AFFINITY&${NIST_AFFINITY}&ISO`], event: 'A01' }));
    expect(field(ack, 'MSA', 1)).to.equal('AA');
  });
  let stopped = false;
  after(async () => {
    if (stopped) return;
    await mllp?.close();
    await app?.stop();
  });

  describe('HL7 v2 over MLLP: AR with ERR where it was, never what', () => {
    const refused = (ack: string, where: string) => {
      expect(field(ack, 'MSA', 1), ack).to.equal('AR');
      expect(field(ack, 'ERR', 2)).to.equal(where);
    };

    it('ITI-8: the OID as urn:oid:, in any case, with spaces, or the namespace only, or full-width', async () => {
      refused(await send(adt({ ids: [`MN-P2^^^AFFINITY&${NIST_AFFINITY}&ISO`, `${next()}^^^&urn:oid:${MN_OID}&ISO`] })), 'PID^1^3^2');
      refused(await send(adt({ ids: [`${next()}^^^& URN:OID:${MN_OID} &ISO`] })), 'PID^1^3^1');
      refused(await send(adt({ ids: [`${next()}^^^MYNUMBER`] })), 'PID^1^3^1');
      refused(await send(adt({ ids: [`${next()}^^^mynumber`] })), 'PID^1^3^1');
      refused(await send(adt({ ids: [`${next()}^^^ＭＹＮＵＭＢＥＲ`] })), 'PID^1^3^1');
      // The namespace in an HL7 hex escape (HL7 v2.5 2.7.3), which the message library drops when it unescapes.
      refused(await send(adt({ ids: [`${next()}^^^\\X4D594E554D424552\\`] })), 'PID^1^3^1');
    });

    it('ITI-9 and ITI-21: the number as the query key, or a PDQ identifier parameter', async () => {
      refused(await send(pixQuery({ key: `${next()}^^^&urn:oid:${MN_OID}&ISO` })), 'QPD^1^3^1');
      refused(await send(pdqQuery({ params: [`@PID.3.1^${next()}`, `@PID.3.4.2^urn:oid:${MN_OID}`] })), 'QPD^1^3^2');
    });

    it('free-text screening (on in this server): 12 digits with a valid check digit in PID-5 or PID-13', async () => {
      refused(await send(adt({ ids: [`MN-P3^^^AFFINITY&${NIST_AFFINITY}&ISO`], phone: next() })), 'PID^1^13^1');
      const n = next();
      refused(await send(adt({ ids: [`MN-P4^^^AFFINITY&${NIST_AFFINITY}&ISO`], name: `YAMADA^${n.slice(0, 4)}-${n.slice(4, 8)}-${n.slice(8)}` })), 'PID^1^5^1');
    });
  });

  describe('XDS over SOAP: RegistryResponse Failure', () => {
    const mnCx = (n: string) => `${n}^^^&urn:oid:${MN_OID}&ISO`;

    it('ITI-42 whose sourcePatientId, sourcePatientInfo PID-3 or patientId is in the domain: XDSRegistryMetadataError', async () => {
      const body = (from: string, to: string) => submitObjectsRequest({ patientId: pid('MN-P1'), docs: [{}] }).replace(from, to);
      const src = 'L001^^^&amp;1.2.392.999.1&amp;ISO</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="sourcePatientInfo">';
      let r = keep(await c.register(body(src, `${mnCx(next()).replace(/&/g, '&amp;')}</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="sourcePatientInfo">`)));
      expectRegistryFailure(r, 'XDSRegistryMetadataError');
      expect(r.xml).to.contain('slot sourcePatientId');
      r = keep(await c.register(body('PID-3|L001^^^&amp;1.2.392.999.1&amp;ISO', `PID-3|${next()}^^^MYNUMBER`)));
      expectRegistryFailure(r, 'XDSRegistryMetadataError');
      expect(r.xml).to.contain('slot sourcePatientInfo');
      r = keep(await c.register(submitObjectsRequest({ patientId: mnCx(next()), docs: [{}] })));
      expectRegistryFailure(r, 'XDSRegistryMetadataError');
    });

    it('ITI-41 whose sourcePatientId is in the domain, the OID written with character references', async () => {
      const n = next();
      const spelled = `${hexRefs(n)}^^^&amp;urn:oid:${[...MN_OID].map((ch) => `&#${ch.charCodeAt(0)};`).join('')}&amp;ISO`;
      const body = provideAndRegisterRequest({ patientId: pid('MN-P1'), docs: [{}] }, 'inline').replace('L001^^^&amp;1.2.392.999.1&amp;ISO', spelled);
      const r = keep(await c.mtom(c.repositoryPath, ACTIONS.iti41, body, []));
      expectRegistryFailure(r, 'XDSRegistryMetadataError');
    });

    it('ITI-18 with a patient-id parameter in the domain: XDSRegistryError at the parameter', async () => {
      let r = keep(await c.query(findDocuments(`${next()}^^^&urn:oid:${MN_OID}&ISO`)));
      expectRegistryFailure(r, 'XDSRegistryError');
      expect(r.xml).to.contain('$XDSDocumentEntryPatientId');
      r = keep(await c.query(storedQuery(QUERY.FindSubmissionSets, { $XDSSubmissionSetPatientId: `${next()}^^^MYNUMBER`, $XDSSubmissionSetStatus: ['urn:oasis:names:tc:ebxml-regrep:StatusType:Approved'] })));
      expectRegistryFailure(r, 'XDSRegistryError');
      r = keep(await c.query(storedQuery(QUERY.GetAll, { $patientId: `${next()}^^^^MN`, $XDSDocumentEntryStatus: ['urn:oasis:names:tc:ebxml-regrep:StatusType:Approved'] })));
      expectRegistryFailure(r, 'XDSRegistryError');
      // A value that is not even well quoted is refused for the domain before it could be quoted back as malformed.
      r = keep(await c.query(findDocuments('P').replace("<rim:Value>'P'</rim:Value>", `<rim:Value>'${next()}^^^&amp;${MN_OID}&amp;ISO</rim:Value>`)));
      expectRegistryFailure(r, 'XDSRegistryError');
      expect(r.xml).to.contain('individual-number domain');
    });
  });

  describe('FHIR: ITI-81 refused with an OperationOutcome, AuditEvents kept masked', () => {
    it('ITI-81 patient.identifier in the domain, by OID in any case or by namespace', async () => {
      for (const q of [`patient.identifier=urn:oid:${MN_OID}|${next()}`, `patient.identifier=URN%3AOID%3A${MN_OID}%7C${next()}`, `patient.identifier=MYNUMBER|${next()}`]) {
        const a = await fhir(`${fhirBase}/AuditEvent?${q}`);
        answers.push(JSON.stringify(a.body));
        expect(a.status, q).to.equal(400);
        expect(a.body.resourceType).to.equal('OperationOutcome');
        expect(a.body.issue[0].expression).to.deep.equal(['patient.identifier']);
      }
    });

    it('FHIR AuditEvent identifiers of the domain (entity, agent), and a body that is not JSON', async () => {
      const [a, b] = [next(), next()];
      const event = {
        resourceType: 'AuditEvent',
        type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112', display: 'Query' },
        action: 'E',
        recorded: '2024-05-01T10:00:00+09:00',
        outcome: '0',
        agent: [{ who: { identifier: { system: `URN:OID:${MN_OID}`, value: b } }, requestor: true, name: 'mobile' }],
        source: { observer: { display: 'MHD_CONSUMER' } },
        entity: [{ what: { identifier: { system: `urn:oid:${MN_OID}`, value: a } }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' } }],
      };
      const created = await fhir(`${fhirBase}/AuditEvent`, postJson(event));
      answers.push(JSON.stringify(created.body));
      expect(created.status).to.equal(201);
      // JSON escapes for the digits, and the body cut short: kept raw, masked.
      const n = next();
      const cut = `{"resourceType":"AuditEvent","entity":[{"what":{"identifier":{"system":"urn:oid:${MN_OID}","value":"${[...n].map((d) => `\\u003${d}`).join('')}"`;
      const bad = await fhir(`${fhirBase}/AuditEvent`, postJson(cut));
      answers.push(JSON.stringify(bad.body));
      expect(bad.status).to.equal(400);
    });
  });

  describe('the access report and the consent admin API: the patient is unknown, the reference not repeated', () => {
    it('a reference in the domain, or a bare number with a valid check digit', async () => {
      const http = `http://127.0.0.1:${app.ports.http}`;
      for (const ref of [`${next()}^^^MYNUMBER`, `urn:oid:${MN_OID}|${next()}`, next()]) {
        for (const [method, url] of [
          ['GET', `/atna/patients/${encodeURIComponent(ref)}/access-report`],
          ['PUT', `/admin/patients/${encodeURIComponent(ref)}/consent`],
        ]) {
          const res = await fetch(`${http}${url}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'PUT' ? JSON.stringify({ optIn: true }) : undefined });
          const text = await res.text();
          answers.push(text);
          expect(res.status, `${method} ${url}: ${text}`).to.be.oneOf([400, 404]);
        }
      }
    });
  });

  describe('syslog (ITI-20): kept, with the number masked wherever and however it was written', () => {
    it('ParticipantObjectID in hex character references (TLS) and decimal ones (UDP)', async () => {
      const hex = receivedAuditXml({ patients: ['HEX^^^HOSP_A&1.2.392.100.1&ISO'] }).replace('HEX', hexRefs(next()));
      const [dec] = [receivedAuditXml({ patients: ['DEC^^^&amp;2.999.392.1.9&amp;ISO'] })];
      const decimal = dec.replace('DEC^^^&amp;amp;', `${decRefs(next())}^^^&amp;`);
      await sendSyslogStream(app.ports.syslogTls!, [octetCounted(syslogMessage(hex.replace('HOSP_A&amp;1.2.392.100.1', `&amp;urn:oid:${MN_OID}`)))], syslogTls());
      await sendSyslogDatagram(app.ports.syslogUdp!, syslogMessage(decimal));
    });

    it('the number in structured data, in the host name, in a user name, in a base64 query, in another field', async () => {
      const sd = Buffer.from(syslogMessage(receivedAuditXml({ patients: ['SD1^^^HOSP_A&1.2.392.100.1&ISO'] })).toString('utf8').replace(' IHE+RFC-3881 - ', ` IHE+RFC-3881 [origin@32473 mn="${next()}"] `));
      const host = syslogMessage(receivedAuditXml({ patients: ['HOST1^^^HOSP_A&1.2.392.100.1&ISO'] }), { hostname: `mn-${next()}` });
      const user = syslogMessage(receivedAuditXml({ patients: ['USER1^^^HOSP_A&1.2.392.100.1&ISO'], userName: `山田 ${next()}` }));
      const query = syslogMessage(receivedAuditXml({ patients: ['Q1^^^HOSP_A&1.2.392.100.1&ISO'], query: `QPD|IHE PIX Query|T1|${next()}^^^&${MN_OID}&ISO` }));
      const m = receivedAudit({ patients: [`${next()}^^^MYNUMBER`] });
      m.objects[0].name = `also ${numbers[numbers.length - 1]} here`;
      m.participants[0].alternativeUserId = numbers[numbers.length - 1];
      const other = syslogMessage(auditMessageXml(m));
      // The control: 12 digits that fail the check digit, in a hospital's domain, are no individual number and are kept.
      const control = syslogMessage(receivedAuditXml({ patients: [`${CONTROL}^^^HOSP_A&1.2.392.100.1&ISO`] }));
      await sendSyslogStream(app.ports.syslogTcp!, [octetCounted(sd, host, user, query, other, control)]);
    });

    it('messages that cannot be read (not XML, not valid) are kept raw without the number', async () => {
      const notXml = syslogMessage(`<AuditMessage>patient ${hexRefs(next())}^^^&amp;${MN_OID}&amp;ISO`);
      const invalid = syslogMessage(receivedAuditXml({ patients: [`${next()}^^^MYNUMBER`] }).replace('EventActionCode="E"', 'EventActionCode="Z"'));
      const bsd = Buffer.from(`<85>Oct 11 22:14:15 host app: patient ${next()}`);
      await sendSyslogStream(app.ports.syslogTcp!, [octetCounted(notXml, invalid, bsd)]);
      const got = await received();
      expect(got.filter((e) => e.error?.includes('individual numbers masked')).length).to.be.at.least(10);
    });
  });

  describe('after every vector', () => {
    it('leaves no number in anything the server answered, wrote or logged, in any spelling', async () => {
      await app.atna.ingest.flushed();
      const self = (await app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport === 'self');
      // Every refusal was audited.
      expect(self.filter((e) => e.eventTypeCode === 'ITI-8' && e.outcome === 8).length, 'ITI-8 refusals').to.be.at.least(8);
      expect(self.filter((e) => e.eventTypeCode === 'ITI-18' && e.outcome !== 0).length, 'ITI-18 refusals').to.equal(4);
      expect(self.filter((e) => e.eventTypeCode === 'ITI-81' && e.outcome !== 0).length, 'ITI-81 refusals').to.equal(3);
      const search = (running: boolean) => {
        const sources: Record<string, Buffer> = { answers: Buffer.from(answers.join('\n')), log: Buffer.from(logLines.join('\n')) };
        for (const f of filesUnder(dataDir)) sources[path.relative(dataDir, f)] = fs.readFileSync(f);
        if (running) expect(Object.keys(sources).some((k) => k.endsWith('-wal')), 'the WAL is searched as it is').to.equal(true);
        expect(findNumbers(sources, [CONTROL]).some((h) => h.endsWith('plain') && !h.startsWith('answers') && !h.startsWith('log')), 'the control is found').to.equal(true);
        return findNumbers(sources, numbers);
      };
      expect(numbers.length).to.be.at.least(30);
      expect(search(true), 'while running (database and WAL as they are)').to.deep.equal([]);
      await mllp.close();
      await app.stop();
      stopped = true;
      expect(search(false), 'after stop (WAL checkpointed)').to.deep.equal([]);
    });
  });
});
