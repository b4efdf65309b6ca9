/**
 * Every audit message the server emits is a valid DICOM audit message (dicom2017c.xsd, the schema
 * ATNA ITI-20 names), and carries what ITI TF-2 asks of each transaction:
 *
 * - ITI-8 (3.8.5.1): EventID 110110 Patient Record, EventTypeCode ITI-8; EventActionCode C for
 *   A01/A04/A05 and U for A08; an A40 writes a D record for the prior ID and a U record for the
 *   survivor; the patient as ParticipantObject type 1 role 1 with an MSH-10 detail.
 * - ITI-9 (3.9.5.1) and ITI-21 (3.21.5.1): EventID 110112 Query, action E; a ParticipantObject of
 *   type 2 role 24 whose ParticipantObjectQuery is the base64 of the MSH and QPD segments, with a
 *   ParticipantObjectDetail of type MSH-10.
 * - Application Start and Stop (DICOM PS3.15 A.5.3.1): EventID 110100, type 110120 / 110121.
 * - A refused individual number leaves no trace of the number in any audit message.
 *
 * The server is driven over MLLP, then stopped; its audit events are read back from its SQLite file
 * (the store is closed by app.stop(), so it is reopened) and validated with xmllint. The IPF sample
 * audit messages of the conformance material are validated too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import {
  conformanceDir,
  load,
  missingMessage,
  readManifest,
  rowsUnder,
  type ManifestRow,
} from '../helpers/conformance.ts';
import { field, startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A, HOSP_B, INDIVIDUAL_NUMBER, pixQuery } from '../helpers/messages.ts';
import { child, children, parseXml, type XmlElement } from '../helpers/xml.ts';
import { xmllintAvailable, xmllintValidate as validate, XMLLINT_MISSING, type Validation } from '../helpers/xmllint.ts';

const SCHEMA = path.join('schemas', 'atna', 'dicom2017c.xsd');
const NUMBER = '123456789018';

// ---------------------------------------------------------------------------------------------
// Reading audit messages

interface Audit {
  record: StoredAuditRecord;
  root: XmlElement;
  action: string;
  outcome: string;
  eventId: string;
  eventTypes: string[];
  objects: XmlElement[];
}

function readAudit(record: StoredAuditRecord): Audit {
  const root = parseXml(record.xml);
  expect(root.name).to.equal('AuditMessage');
  const ei = child(root, 'EventIdentification')!;
  return {
    record,
    root,
    action: ei.attrs.EventActionCode,
    outcome: ei.attrs.EventOutcomeIndicator,
    eventId: child(ei, 'EventID')!.attrs['csd-code'],
    eventTypes: children(ei, 'EventTypeCode').map((c) => c.attrs['csd-code']),
    objects: children(root, 'ParticipantObjectIdentification'),
  };
}

const patientsOf = (a: Audit) =>
  a.objects.filter((o) => o.attrs.ParticipantObjectTypeCode === '1' && o.attrs.ParticipantObjectTypeCodeRole === '1').map((o) => o.attrs.ParticipantObjectID);

const detail = (o: XmlElement, type: string) => children(o, 'ParticipantObjectDetail').find((d) => d.attrs.type === type)?.attrs.value;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** The MSH and QPD segments of a request, each CR-terminated: what ParticipantObjectQuery holds. */
const mshQpd = (message: string) =>
  message
    .split('\r')
    .filter((l) => l.startsWith('MSH|') || l.startsWith('QPD|'))
    .map((l) => l + '\r')
    .join('');

/** Every text an audit message carries, with each base64 value decoded beside it. */
function allText(a: Audit): string {
  const parts = [a.record.xml, ...a.record.patientIds];
  const walk = (el: XmlElement) => {
    if (el.name === 'ParticipantObjectQuery') parts.push(unb64(el.text.trim()));
    if (el.name === 'ParticipantObjectDetail' && el.attrs.value) parts.push(unb64(el.attrs.value));
    el.children.forEach(walk);
  };
  walk(a.root);
  return parts.join('\n');
}

function pdqQueryWithId(params: string[], controlId: string, domains: string[] = []): string {
  return [
    `MSH|^~\\&|PDQ_CONSUMER|HOSP_B|HIE|REGION|20240101120000||QBP^Q22^QBP_Q21|${controlId}|P|2.5`,
    `QPD|IHE PDQ Query|TAG-${controlId}|${params.join('~')}|||||${domains.join('~')}`,
    'RCP|I',
  ].join('\r') + '\r';
}

// ---------------------------------------------------------------------------------------------

describe('conformance: audit messages against the DICOM schema (dicom2017c.xsd)', function () {
  this.timeout(60_000);

  const dir = conformanceDir();
  const schema = path.join(dir, SCHEMA);
  const manifest = load(() => readManifest(dir));

  it('has xmllint and the DICOM audit schema', () => {
    if (!xmllintAvailable()) throw new Error(XMLLINT_MISSING);
    if (!fs.existsSync(schema)) throw new Error(missingMessage(schema));
  });

  describe('messages this server emits', () => {
    /** What each request left in the audit trail, by label. */
    const scenario = new Map<string, { message: string; reply: string; audits: Audit[] }>();
    let stored: Audit[] = [];
    let validation = new Map<string, Validation>();
    const files = new Map<number, string>();
    let xmlDir: string | undefined;

    before(async function () {
      if (!xmllintAvailable()) throw new Error(XMLLINT_MISSING);
      if (!fs.existsSync(schema)) throw new Error(missingMessage(schema));
      const s: TestServer = await startTestServer();
      const dbFile = path.join(s.dataDir, s.config.store.sqlite.file);
      let seen = 0;
      const run = async (label: string, message: string, expectAck: string | RegExp) => {
        const reply = await s.send(message);
        const msa = field(reply, 'MSA', 1);
        if (typeof expectAck === 'string') expect(msa, `${label}\n${reply.replace(/\r/g, '\n')}`).to.equal(expectAck);
        else expect(msa, label).to.match(expectAck);
        const events = await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 1_000_000 }));
        const fresh = events.filter((e) => e.id > seen);
        seen = Math.max(seen, ...events.map((e) => e.id));
        scenario.set(label, { message, reply, audits: fresh.map(readAudit) });
      };
      try {
        // Application Start was recorded by startApp.
        seen = Math.max(0, ...(await s.app.store.read((tx) => tx.audit.auditEvents({}))).map((e) => e.id));

        // ITI-8, success
        await run('A01', adt({ event: 'A01', ids: [`AUD01^^^${HOSP_A}`, `AUDB01^^^${HOSP_B}`], controlId: 'AUD-A01' }), 'AA');
        await run('A04', adt({ event: 'A04', ids: [`AUD04^^^${HOSP_A}`], controlId: 'AUD-A04' }), 'AA');
        await run('A05', adt({ event: 'A05', ids: [`AUD05^^^${HOSP_A}`], controlId: 'AUD-A05' }), 'AA');
        await run('A08', adt({ event: 'A08', ids: [`AUD01^^^${HOSP_A}`], name: 'YAMADA^JIRO^^^^^L', controlId: 'AUD-A08' }), 'AA');
        await run('A40', adt({ event: 'A40', ids: [`AUD05^^^${HOSP_A}`], mrg: [`AUD04^^^${HOSP_A}`], controlId: 'AUD-A40' }), 'AA');
        // ITI-8, failure: A01 without PID, A08 without PV1, A40 without MRG (each AE 100).
        await run('A01 failure', 'MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101120000||ADT^A01^ADT_A01|AUD-A01-BAD|P|2.3.1\rEVN|A01|20240101120000\rPV1||O\r', 'AE');
        await run('A08 failure', adt({ event: 'A08', ids: [`AUD01^^^${HOSP_A}`], controlId: 'AUD-A08-BAD' }).replace('PV1||O\r', ''), 'AE');
        await run('A40 failure', adt({ event: 'A40', ids: [`AUD05^^^${HOSP_A}`], controlId: 'AUD-A40-BAD' }).replace('MRG|\r', ''), 'AE');
        // ITI-9
        await run('ITI-9 ok', pixQuery({ key: `AUD01^^^${HOSP_A}`, controlId: 'AUD-Q9', tag: 'TAG-Q9' }), 'AA');
        await run('ITI-9 error', pixQuery({ key: `NOPE^^^${HOSP_A}`, controlId: 'AUD-Q9-BAD', tag: 'TAG-Q9-BAD' }), 'AE');
        // ITI-21
        await run('ITI-21 ok', pdqQueryWithId(['@PID.5.1.1^YAMADA'], 'AUD-Q21'), 'AA');
        await run('ITI-21 error', pdqQueryWithId(['@PID.5.1.1^YAMADA'], 'AUD-Q21-BAD', ['^^^NOWHERE&9.9.9&ISO']), 'AE');
        // The individual number, refused wherever it appears.
        await run('individual number feed', adt({ ids: [`AUD06^^^${HOSP_A}`, `${NUMBER}^^^${INDIVIDUAL_NUMBER}`], controlId: 'AUD-MN-8' }), 'AR');
        await run('individual number PIX query', pixQuery({ key: `${NUMBER}^^^${INDIVIDUAL_NUMBER}`, controlId: 'AUD-MN-9' }), 'AR');
        await run('individual number PDQ query', pdqQueryWithId(['@PID.3.1^' + NUMBER, '@PID.3.4.1^MYNUMBER', '@PID.3.4.2^2.999.392.1.9'], 'AUD-MN-21'), 'AR');
      } finally {
        await s.stop();
      }

      // app.stop() closed the store after recording Application Stop: reopen the same file.
      const reopened = new SqliteStore({ path: dbFile });
      try {
        stored = (await reopened.read((tx) => tx.audit.auditEvents({ limit: 1_000_000 }))).map(readAudit);
      } finally {
        await reopened.close();
      }
      const out = tempDir('hie-audit-xml-');
      for (const a of stored) {
        const f = path.join(out, `audit-${a.record.id}.xml`);
        fs.writeFileSync(f, a.record.xml);
        files.set(a.record.id, f);
      }
      validation = validate(schema, [...files.values()]);
      xmlDir = out;
    });
    after(() => {
      if (xmlDir) fs.rmSync(xmlDir, { recursive: true, force: true });
    });

    const of = (label: string) => {
      const sc = scenario.get(label);
      if (!sc) throw new Error(`scenario ${label} did not run`);
      return sc;
    };

    it('stores every audit message, and every one validates against dicom2017c.xsd', () => {
      expect(stored.length, 'start, the requests, stop').to.be.greaterThan(scenario.size);
      const invalid = stored
        .filter((a) => !validation.get(files.get(a.record.id)!)?.valid)
        .map((a) => `#${a.record.id} ${a.eventId}/${a.eventTypes.join(',')} ${a.action}:\n  ${validation.get(files.get(a.record.id)!)?.errors.join('\n  ')}`);
      expect(invalid, invalid.join('\n')).to.deep.equal([]);
      // Each request left at least one message, and all of them were read back after stop.
      for (const [label, sc] of scenario) {
        expect(sc.audits, `${label} left an audit message`).to.not.have.length(0);
        for (const a of sc.audits) expect(stored.map((x) => x.record.id), label).to.include(a.record.id);
      }
    });

    it('records Application Start first and Application Stop last (110100, 110120 / 110121)', () => {
      const first = stored[0];
      const last = stored[stored.length - 1];
      for (const [a, type] of [
        [first, '110120'],
        [last, '110121'],
      ] as const) {
        expect(a.eventId).to.equal('110100');
        expect(a.eventTypes).to.deep.equal([type]);
        expect(a.action).to.equal('E');
        expect(a.outcome).to.equal('0');
        const roles = children(a.root, 'ActiveParticipant').flatMap((p) => children(p, 'RoleIDCode').map((r) => r.attrs['csd-code']));
        expect(roles).to.include.members(['110150', '110151']);
      }
    });

    for (const [label, action] of [
      ['A01', 'C'],
      ['A04', 'C'],
      ['A05', 'C'],
      ['A08', 'U'],
    ] as const) {
      it(`ITI-8 ${label}: 110110 Patient Record, action ${action}, the patient with its MSH-10`, () => {
        const sc = of(label);
        expect(sc.audits).to.have.length(1);
        const a = sc.audits[0];
        expect(a.eventId).to.equal('110110');
        expect(a.eventTypes).to.deep.equal(['ITI-8']);
        expect(child(child(a.root, 'EventIdentification')!, 'EventTypeCode')!.attrs.codeSystemName).to.equal('IHE Transactions');
        expect(a.action).to.equal(action);
        expect(a.outcome).to.equal('0');
        const ids = sc.message.split('\r').find((l) => l.startsWith('PID|'))!.split('|')[3].split('~');
        expect(patientsOf(a)).to.have.members(ids);
        const controlId = sc.message.split('\r')[0].split('|')[9];
        for (const o of a.objects) expect(detail(o, 'MSH-10'), 'MSH-10 detail').to.equal(b64(controlId));
        // Source (the sender, requestor) and Destination (this server).
        const parts = children(a.root, 'ActiveParticipant');
        const role = (p: XmlElement) => child(p, 'RoleIDCode')!.attrs['csd-code'];
        const src = parts.find((p) => role(p) === '110153')!;
        const dst = parts.find((p) => role(p) === '110152')!;
        expect(src.attrs.UserID).to.equal('HOSP_A|EHR');
        expect(src.attrs.UserIsRequestor).to.equal('true');
        expect(dst.attrs.UserID).to.equal('REGION|HIE');
        expect(dst.attrs.UserIsRequestor).to.equal('false');
      });
    }

    it('ITI-8 A40: a D record for the prior ID and a U record for the survivor', () => {
      const sc = of('A40');
      const byAction = new Map(sc.audits.map((a) => [a.action, a]));
      expect(sc.audits.map((a) => a.action).sort()).to.deep.equal(['D', 'U']);
      for (const a of sc.audits) {
        expect(a.eventId).to.equal('110110');
        expect(a.eventTypes).to.deep.equal(['ITI-8']);
        expect(a.outcome).to.equal('0');
      }
      expect(patientsOf(byAction.get('D')!)).to.deep.equal([`AUD04^^^${HOSP_A}`]);
      expect(patientsOf(byAction.get('U')!)).to.deep.equal([`AUD05^^^${HOSP_A}`]);
    });

    for (const [label, action] of [
      ['A01 failure', 'C'],
      ['A08 failure', 'U'],
      ['A40 failure', 'U'],
    ] as const) {
      it(`ITI-8 ${label}: 110110, action ${action}, a failure outcome`, () => {
        const sc = of(label);
        expect(sc.audits).to.have.length(1);
        const a = sc.audits[0];
        expect(a.eventId).to.equal('110110');
        expect(a.action).to.equal(action);
        expect(['4', '8', '12']).to.include(a.outcome);
        expect(child(child(a.root, 'EventIdentification')!, 'EventOutcomeDescription'), 'why it failed').to.not.equal(undefined);
      });
    }

    for (const [label, type, outcome] of [
      ['ITI-9 ok', 'ITI-9', 'success'],
      ['ITI-9 error', 'ITI-9', 'failure'],
      ['ITI-21 ok', 'ITI-21', 'success'],
      ['ITI-21 error', 'ITI-21', 'failure'],
    ] as const) {
      it(`${label}: 110112 Query, action E, the query (type 2, role 24) as base64 MSH+QPD with an MSH-10 detail`, () => {
        const sc = of(label);
        expect(sc.audits).to.have.length(1);
        const a = sc.audits[0];
        expect(a.eventId).to.equal('110112');
        expect(a.eventTypes).to.deep.equal([type]);
        expect(a.action).to.equal('E');
        if (outcome === 'success') expect(a.outcome).to.equal('0');
        else expect(['4', '8', '12']).to.include(a.outcome);
        const queries = a.objects.filter((o) => o.attrs.ParticipantObjectTypeCode === '2' && o.attrs.ParticipantObjectTypeCodeRole === '24');
        expect(queries).to.have.length(1);
        const q = queries[0];
        expect(child(q, 'ParticipantObjectIDTypeCode')!.attrs).to.include({ 'csd-code': type, codeSystemName: 'IHE Transactions' });
        const text = child(q, 'ParticipantObjectQuery')?.text.trim() ?? '';
        expect(text, 'ParticipantObjectQuery').to.not.equal('');
        expect(unb64(text)).to.equal(mshQpd(sc.message));
        const controlId = sc.message.split('\r')[0].split('|')[9];
        expect(detail(q, 'MSH-10')).to.equal(b64(controlId));
        if (outcome === 'success') expect(patientsOf(a)).to.include(`AUD01^^^${HOSP_A}`);
      });
    }

    it('the refused individual number (feed, PIX query, PDQ query): audited as failures, with no trace of the number', () => {
      for (const label of ['individual number feed', 'individual number PIX query', 'individual number PDQ query']) {
        const sc = of(label);
        expect(sc.reply, label).to.not.contain(NUMBER);
        expect(sc.audits, label).to.have.length(1);
        const a = sc.audits[0];
        expect(a.outcome, label).to.not.equal('0');
        expect(allText(a), label).to.not.contain(NUMBER);
      }
      expect(of('individual number feed').audits[0].eventTypes).to.deep.equal(['ITI-8']);
      // The patient is still named, by the identifiers that may be named.
      expect(patientsOf(of('individual number feed').audits[0])).to.deep.equal([`AUD06^^^${HOSP_A}`]);
      expect(of('individual number PIX query').audits[0].eventTypes).to.deep.equal(['ITI-9']);
      expect(of('individual number PDQ query').audits[0].eventTypes).to.deep.equal(['ITI-21']);
      // Nowhere in the whole trail either, base64 values decoded.
      for (const a of stored) expect(allText(a), `audit #${a.record.id}`).to.not.contain(NUMBER);
    });
  });

  describe('sample audit messages of the conformance material (atna/)', () => {
    if (!manifest.ok) {
      it('has its conformance material', () => {
        throw manifest.error;
      });
      return;
    }
    const rows = rowsUnder(manifest.value, 'atna');
    // IPF's expected-output fixtures are DICOM audit messages: they must be present and valid.
    const ipf = rows.filter((r) => /^atna\/ipf_.*\.xml$/.test(r.localFile) && /DICOM audit message/.test(r.what));
    // Other rows are third-party material this suite only reports on.
    const others = rows.filter((r) => !ipf.includes(r));

    it('lists IPF DICOM audit samples', () => {
      expect(ipf, 'atna/ipf_*.xml rows in the MANIFEST').to.not.have.length(0);
    });

    for (const row of ipf) {
      it(`${row.localFile}: DICOM form, validates against dicom2017c.xsd`, () => {
        if (!row.present) throw new Error(missingMessage(row.path));
        if (!xmllintAvailable()) throw new Error(XMLLINT_MISSING);
        const root = parseXml(fs.readFileSync(row.path, 'utf8'));
        expect(root.name).to.equal('AuditMessage');
        const eventId = child(child(root, 'EventIdentification')!, 'EventID')!;
        expect(eventId.attrs, 'DICOM form codes use csd-code').to.have.property('csd-code');
        const v = validate(schema, [row.path]).get(row.path)!;
        expect(v.valid, v.errors.join('\n')).to.equal(true);
      });
    }

    /** What the report-only samples gave; printed after the suite. */
    const report: string[] = [];
    after(() => {
      if (report.length) console.log('\n    Third-party audit samples (reported, not required):\n' + report.map((l) => '      ' + l).join('\n'));
    });

    for (const row of others) {
      // Absent third-party material outside PIX/PDQ (the Swiss EPR XDS audits, ITI-18/41/43) is
      // named as missing by the ATNA conformance suite (test/conformance/atna*.test.ts), once.
      if (!row.present) continue;
      it(`${row.localFile}: parsed, validated and reported (${formOf(row)} form)`, function () {
        if (!xmllintAvailable()) throw new Error(XMLLINT_MISSING);
        const xml = auditXmlOf(row);
        const root = parseXml(xml);
        expect(root.name).to.equal('AuditMessage');
        const tmpDir = tempDir('hie-audit-sample-');
        const tmp = path.join(tmpDir, path.basename(row.localFile) + '.xml');
        fs.writeFileSync(tmp, xml);
        let v: Validation;
        try {
          v = validate(schema, [tmp]).get(tmp)!;
        } finally {
          fs.rmSync(tmpDir, { recursive: true, force: true });
        }
        const why = v.errors.map((e) => e.replace(tmp + ':', 'line ')).slice(0, 3);
        report.push(`${row.localFile} (${formOf(row)}): ${v.valid ? 'validates' : 'does not validate: ' + why.join(' | ')}`);
        if (formOf(row) === 'RFC-3881') {
          // The old RFC 3881 form (code/displayName attributes) is not the DICOM schema's form.
          expect(v.valid, 'an RFC 3881 form message does not pass the DICOM schema').to.equal(false);
          expect(v.errors.join('\n')).to.match(/attribute 'code' is not allowed|'csd-code' is required/);
        }
      });
    }
  });
});

/** The syslog MSGID (IHE+DICOM, IHE+RFC-3881) or, for bare XML, the attribute style. */
function formOf(row: ManifestRow): 'DICOM' | 'RFC-3881' {
  const text = fs.readFileSync(row.path, 'utf8');
  const frame = /^<\d+>1 \S+ \S+ \S+ \S+ (\S+) /.exec(text);
  if (frame) return frame[1] === 'IHE+RFC-3881' ? 'RFC-3881' : 'DICOM';
  return /csd-code=/.test(text) ? 'DICOM' : 'RFC-3881';
}

/** The audit message of a sample: the file itself, or the MSG part of an RFC 5424 syslog frame. */
function auditXmlOf(row: ManifestRow): string {
  const text = fs.readFileSync(row.path, 'utf8');
  const frame = /^<\d+>1 \S+ \S+ \S+ \S+ \S+ (?:-|(?:\[[^\]]*\])+) ?([\s\S]*)$/.exec(text);
  const xml = frame ? frame[1] : text;
  return xml.replace(/^\uFEFF/, '');
}
