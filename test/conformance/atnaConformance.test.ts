/**
 * ATNA conformance:
 * - every sample of ../shared/conformance/atna, received over syslog as a hospital system would send
 *   it, is stored: those the MANIFEST describes as DICOM audit messages valid, the RFC 3881-style ones
 *   kept raw with their schema error and indexed on a best-effort basis, and every verdict the one
 *   xmllint gives with dicom2017c.xsd;
 * - every audit message this server emits for ATNA (Security Alert, ITI-81 query, Audit Log Used,
 *   Application Start and Stop), as stored and as forwarded in its syslog frame, validates against
 *   dicom2017c.xsd with xmllint.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { expect } from 'chai';
import { parseSyslog } from '../../src/atna/syslog/rfc5424.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { makeCerts } from '../helpers/certs.ts';
import { conformanceDir, load, missingMessage, readManifest, rowsUnder, type ManifestRow } from '../helpers/conformance.ts';
import { startTestServer, tempDir } from '../helpers/hieServer.ts';
import { octetCounted, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';
import { xmllintAvailable, xmllintValidate, XMLLINT_MISSING } from '../helpers/xmllint.ts';

const SCHEMA = path.join(conformanceDir(), 'schemas', 'atna', 'dicom2017c.xsd');

/** A sample as bytes on the wire: syslog frames as they are, bare XML wrapped in one. */
function onTheWire(row: ManifestRow): Buffer {
  const bytes = fs.readFileSync(row.path);
  return /^<\d+>1 /.test(bytes.toString('latin1', 0, 8)) ? bytes : syslogMessage(bytes.toString('utf8'));
}

/** What the MANIFEST says a sample is. */
const describedAsDicom = (row: ManifestRow) => /DICOM audit message/.test(row.what) && !/NEGATIVE/.test(row.what);
const describedAsRfc3881 = (row: ManifestRow) => /RFC-?3881/.test(row.what) || /RFC3881/.test(row.localFile);

function lint(xmls: { label: string; xml: string }[]) {
  if (!xmllintAvailable()) throw new Error(XMLLINT_MISSING);
  if (!fs.existsSync(SCHEMA)) throw new Error(missingMessage(SCHEMA));
  const dir = tempDir('hie-atna-lint-');
  try {
    const files = xmls.map((x, i) => {
      const f = path.join(dir, `m${i}.xml`);
      fs.writeFileSync(f, x.xml);
      return f;
    });
    const v = xmllintValidate(SCHEMA, files);
    return xmls.map((x, i) => ({ ...x, ...v.get(files[i])! }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('conformance: ATNA', function () {
  this.timeout(120_000);

  describe('the audit samples of the conformance material, received over syslog', () => {
    const manifest = load(() => readManifest());
    if (!manifest.ok) {
      it('has its conformance material', () => {
        throw manifest.error;
      });
      return;
    }
    const rows = rowsUnder(manifest.value, 'atna');
    const present = rows.filter((r) => r.present);
    for (const r of rows.filter((x) => !x.present)) it(`${missingMessage(r.path)} (${r.localFile}, listed in the MANIFEST)`);

    let stored = new Map<string, StoredAuditRecord>();
    before(async () => {
      const s = await startTestServer({ syslog: { tcp: { port: 0 } } } as never);
      try {
        for (const row of present) {
          await sendSyslogStream(s.app.ports.syslogTcp!, [octetCounted(onTheWire(row))]);
          await s.app.atna.ingest.flushed();
          const [e] = (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((x) => x.transport === 'syslog-tcp').slice(-1);
          stored.set(row.localFile, e);
        }
      } finally {
        await s.stop();
      }
    });

    it('lists DICOM and RFC 3881 samples', () => {
      expect(present.filter(describedAsDicom)).to.not.have.length(0);
      expect(present.filter(describedAsRfc3881)).to.not.have.length(0);
    });

    for (const row of present) {
      it(`${row.localFile}: parsed and stored${describedAsDicom(row) ? ', valid' : describedAsRfc3881(row) ? ', kept raw with its error, indexed' : ''}; the verdict is xmllint's`, () => {
        const e = stored.get(row.localFile)!;
        expect(e, 'stored').to.not.equal(undefined);
        expect(e.status, 'read (not unparsed)').to.not.equal('unparsed');
        expect(e.eventId, 'indexed: EventID').to.match(/^1101\d\d$/);
        const msg = parseSyslog(onTheWire(row)).msg.toString('utf8');
        const [verdict] = lint([{ label: row.localFile, xml: msg }]);
        expect(e.status === 'valid', `our verdict against xmllint's: ${e.error ?? ''} / ${verdict.errors.join(' ')}`).to.equal(verdict.valid);
        if (describedAsDicom(row)) expect(e.status, e.error).to.equal('valid');
        if (describedAsRfc3881(row)) {
          expect(e.status).to.equal('invalid');
          expect(e.error).to.match(/attribute code is not allowed|csd-code is required/);
          expect(e.raw!.equals(onTheWire(row))).to.equal(true);
        }
      });
    }
  });

  describe('audit messages this server emits for ATNA', () => {
    let own: StoredAuditRecord[] = [];
    let forwarded: Buffer[] = [];
    before(async () => {
      const certs = makeCerts();
      const t = { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true };
      // Forwarding to a repository that is not there: the frames stay in the outbox to be read here.
      const s = await startTestServer({ syslog: { tls: { ...t, port: 0 } }, atna: { repositories: [{ name: 'down', host: '127.0.0.1', port: 9, transport: 'tcp' }] } } as never);
      const file = path.join(s.dataDir, s.config.store.sqlite.file);
      try {
        const base = `http://127.0.0.1:${s.app.ports.http}`;
        await new Promise<void>((resolve) => {
          const c = tls.connect({ host: '127.0.0.1', port: s.app.ports.syslogTls!, ca: fs.readFileSync(certs.ca), servername: 'localhost' });
          c.on('error', () => resolve());
          c.on('close', () => resolve());
        });
        await fetch(`${base}/fhir/AuditEvent?patient.identifier=urn:oid:1.2.3|P1&date=ge2024-01-01`);
        await fetch(`${base}/fhir/AuditEvent?bogus=1`);
        await fetch(`${base}/fhir/AuditEvent/1`);
        await s.send('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101120000||ADT^A04^ADT_A01|C1|P|2.5\rEVN|A04|20240101120000\rPID|1||OWN1^^^HOSP_A&1.2.392.999.1&ISO||YAMADA^TARO||19700101|M\rPV1||O\r');
        await fetch(`${base}/atna/patients/${encodeURIComponent('OWN1^^^HOSP_A&1.2.392.999.1&ISO')}/access-report`);
        for (let i = 0; i < 50 && (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 1000 }))).filter((e) => e.eventId === '110113').length === 0; i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await s.stop();
      }
      const store = new SqliteStore({ path: file });
      try {
        own = (await store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport === 'self');
        forwarded = (await store.read((tx) => tx.outbox.dueMessages('atna', Date.now() + 10 ** 9, 100_000))).map((m) => m.payload);
      } finally {
        await store.close();
      }
    });

    it('emits each kind: Security Alert, ITI-81 Query, Audit Log Used, Application Start and Stop', () => {
      const kinds = new Set(own.map((e) => `${e.eventId}/${e.eventTypeCode}`));
      for (const k of ['110113/110126', '110112/ITI-81', '110101/', '110100/110120', '110100/110121']) expect([...kinds], k).to.include(k);
    });

    it('every one validates against dicom2017c.xsd, as stored', () => {
      const results = lint(own.map((e) => ({ label: `#${e.id} ${e.eventId}/${e.eventTypeCode}`, xml: e.xml })));
      const invalid = results.filter((r) => !r.valid).map((r) => `${r.label}: ${r.errors.join(' ')}`);
      expect(invalid, invalid.join('\n')).to.deep.equal([]);
      expect(own.every((e) => e.status === 'valid')).to.equal(true);
    });

    it('and as forwarded: RFC 5424, facility 10, MSGID IHE+RFC-3881, the same XML, one frame per stored message', () => {
      expect(forwarded.length, 'every own message queued for the repository').to.equal(own.length);
      const msgs = forwarded.map((b) => parseSyslog(b));
      for (const m of msgs) expect(m).to.include({ facility: 10, msgId: 'IHE+RFC-3881', bom: false });
      const results = lint(msgs.map((m, i) => ({ label: `frame ${i}`, xml: m.msg.toString('utf8') })));
      expect(results.filter((r) => !r.valid).map((r) => r.errors.join(' '))).to.deep.equal([]);
      expect(msgs.map((m) => m.msg.toString('utf8'))).to.deep.equal(own.map((e) => e.xml));
    });
  });
});
