/**
 * The HL7 v2 PIX/PDQ samples of the shared conformance material (pix-pdq/v2), played against one
 * real server over MLLP.
 *
 * - Requests (ADT, QBP, QCN) get the verdict their MANIFEST row gives them: a row whose `what` says
 *   NEGATIVE must be refused (MSA-1 AE or AR, with an ERR); every other request must be accepted
 *   (MSA-1 AA). Feeds go first, then the project's own feed cases (conformance/cases/pix-pdq, for
 *   patients and domains the samples query but never feed), then the queries, whose answers are
 *   checked for content.
 * - Responses (RSP^K22, RSP^K23, ACK^Q23) are what a PIX/PDQ responder sends: our codec must parse
 *   them, and our server must answer the equivalent query with the same MSA-1, QAK-2, ERR-2, ERR-3
 *   and the same PID-3/PID-5 shape.
 * - The ISO-2022-JP names of the SS-MIX2 reference ADT (beside the conformance folder) survive an
 *   ITI-8 feed and come back intact from PDQ, in ISO-2022-JP and in UTF-8.
 *
 * Rows under pix-pdq/v2 are all expected to be present: a missing one is a failing test, never a skip.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import Encoding from 'encoding-japanese';
import { Hl7v2Message } from '../../src/hl7v2/message.ts';
import { declaredCharset, decodeMessage } from '../../src/hl7v2/charset.ts';
import type { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import {
  conformanceDir,
  isNegative,
  load,
  missingMessage,
  PROJECT_ROOT,
  readManifest,
  readTsv,
  rowsUnder,
  type ManifestRow,
} from '../helpers/conformance.ts';
import { decodeReply, field, segments, startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { cancelQuery, pdqQuery } from '../helpers/messages.ts';

const FOLDER = 'pix-pdq/v2';
const CASES_DIR = path.join(PROJECT_ROOT, 'conformance', 'cases', 'pix-pdq');

/** The SS-MIX2 source default of the ADT-00 sample (PID-3 has no assigning authority). */
const SSMIX2_DOMAIN = { namespace: 'SSMIX2_HIS123', oid: '1.2.392.999.901.1', sourceApplication: 'HIS123', sourceFacility: 'SEND' };
const SSMIX2_ADT00 = path.join('sampleData', '999', '901', '9999013', '-', 'ADT-00');

const REQUEST_CODES = new Set(['ADT', 'QBP', 'QCN']);
const RESPONSE_CODES = new Set(['RSP', 'ACK']);

// ---------------------------------------------------------------------------------------------
// Reading samples without trusting them: strip MLLP framing, split the header by hand.

interface Sample {
  row: ManifestRow;
  bytes: Buffer;
  /** Already MLLP-framed (starts with VT): sent as it is. */
  framed: boolean;
  /** The message text (latin1 view of the unframed bytes; every sample here is ASCII). */
  text: string;
  code: string;
  event: string;
  controlId: string;
}

function unframe(bytes: Buffer): Buffer {
  if (bytes[0] !== 0x0b) return bytes;
  const end = bytes.indexOf(0x1c);
  return bytes.subarray(1, end < 0 ? bytes.length : end);
}

function mshFields(text: string): string[] {
  const msh = text.split(/\r\n|\r|\n/)[0] ?? '';
  if (!msh.startsWith('MSH')) return [];
  // Index n is MSH-n (MSH-1 is the separator itself).
  return ['', ...msh.split(msh[3])].map((f, i) => (i === 1 ? msh[3] : f));
}

function readSample(row: ManifestRow): Sample {
  const bytes = fs.readFileSync(row.path);
  const text = unframe(bytes).toString('latin1');
  const msh = mshFields(text);
  const comp = msh[2]?.[0] ?? '^';
  const type = (msh[9] ?? '').split(comp);
  return { row, bytes, framed: bytes[0] === 0x0b, text, code: type[0] ?? '', event: type[1] ?? '', controlId: (msh[10] ?? '').split(comp)[0] };
}

/** Every message of a case file: one or more, each starting with MSH at the start of a line. */
function caseMessages(file: string): Buffer[] {
  const text = fs.readFileSync(file, 'latin1');
  return text
    .split(/\r(?=MSH\|)/)
    .map((m) => (m.endsWith('\r') ? m : m + '\r'))
    .filter((m) => m.startsWith('MSH|'))
    .map((m) => Buffer.from(m, 'latin1'));
}

// ---------------------------------------------------------------------------------------------
// Talking to the server: one connection per exchange, so that an enhanced-mode accept ACK followed
// by an application ACK (MSH-15/16) can never be taken as the answer to the next message.

interface Exchange {
  replies: string[];
  /** The application-level answer: the last reply whose MSA-1 is AA/AE/AR, else the accept ACK. */
  answer: string;
}

async function exchange(s: TestServer, bytes: Buffer, framed = false): Promise<Exchange> {
  const c: MllpClient = await s.client();
  try {
    let first: Buffer;
    if (framed) {
      c.writeRaw(bytes);
      first = await c.nextReply();
    } else {
      first = await c.send(bytes);
    }
    const replies = [decodeReply(first)];
    if (/^C[AER]$/.test(field(replies[0], 'MSA', 1))) {
      // Enhanced mode: an application acknowledgement may follow the accept acknowledgement.
      const next = await Promise.race([c.nextReply(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 1500))]).catch(() => undefined);
      if (next) replies.push(decodeReply(next));
    }
    const app = [...replies].reverse().find((r) => /^A[AER]$/.test(field(r, 'MSA', 1)));
    return { replies, answer: app ?? replies[replies.length - 1] };
  } finally {
    await c.close();
  }
}

const show = (reply: string) => '\n' + reply.replace(/\r/g, '\n');

// ---------------------------------------------------------------------------------------------
// Comparing answers with response samples.

/** ERR-2 locations of every ERR segment, repetitions flattened (ACK^Q23 puts two in one ERR-2). */
function errLocations(reply: string): string[] {
  return segments(reply, 'ERR').flatMap((e) => (e[2] ?? '').split('~').filter((x) => x !== ''));
}

/** ERR-3.1 codes of every ERR segment. */
function errCodes(reply: string): string[] {
  return segments(reply, 'ERR').map((e) => (e[3] ?? '').split('^')[0]);
}

/**
 * The shape of a CX: id ^^^ namespace & universal id & ISO. CX-5 (identifier type code) is left out:
 * the samples write ^PI, this server does not, and ITI TF-2 does not require it in responses.
 */
function cxShape(cx: string): string {
  const c = cx.split('^');
  const hd = (c[3] ?? '').split('&');
  return [c[0] ? 'ID' : '', '', '', [hd[0] ? 'NS' : '', hd[1] ? 'OID' : '', hd[2] ?? ''].join('&')].join('^');
}

/** XPN-7 name type codes of each PID-5 repetition. */
function nameTypes(pid5: string): string {
  return pid5
    .split('~')
    .map((n) => n.split('^')[6] ?? '')
    .join('~');
}

function pid3s(reply: string): string[][] {
  return segments(reply, 'PID').map((p) => (p[3] ?? '').split('~').filter((x) => x !== ''));
}

/** The parsed sample's value of SEG-n component 1 (through our codec). */
const sampleValue = (m: Hl7v2Message, seg: string, n: number, c = 1) => m.first(seg)?.get(n, c) ?? '';

/** Response samples compared field by field: MSA-1, QAK-2, ERR-2, ERR-3.1. */
function expectSameOutcome(sample: Hl7v2Message, ours: string, opts: { qak?: boolean } = {}): void {
  expect(field(ours, 'MSA', 1), 'MSA-1' + show(ours)).to.equal(sampleValue(sample, 'MSA', 1));
  if (opts.qak !== false) expect(field(ours, 'QAK', 2), 'QAK-2' + show(ours)).to.equal(sampleValue(sample, 'QAK', 2));
  const sampleText = sample.text;
  expect(errLocations(ours).sort(), 'ERR-2' + show(ours)).to.deep.equal(errLocations(sampleText).sort());
  expect(errCodes(ours).sort(), 'ERR-3' + show(ours)).to.deep.equal(errCodes(sampleText).sort());
}

/** Our PID-3 repetitions all have a shape the sample's PID-3 has; PID-5 compared as the caller says. */
function expectPid3Shape(sample: Hl7v2Message, ours: string): void {
  const sampleShapes = new Set(pid3s(sample.text).flat().map(cxShape));
  expect(sampleShapes.size, 'the sample has PID-3').to.be.greaterThan(0);
  for (const cx of pid3s(ours).flat()) expect(sampleShapes, `shape of ${cx}` + show(ours)).to.include(cxShape(cx));
}

function qbpQ23(qpd: string, controlId: string): string {
  return [`MSH|^~\\&|PIX_CONSUMER|CONFORMANCE|HIE|REGION|20240401120000||QBP^Q23^QBP_Q21|${controlId}|P|2.5`, qpd, 'RCP|I'].join('\r') + '\r';
}

function qbpQ22(qpd: string, controlId: string, rcp = 'RCP|I', dsc?: string): string {
  const segs = [`MSH|^~\\&|PDQ_CONSUMER|CONFORMANCE|HIE|REGION|20240401120000||QBP^Q22^QBP_Q21|${controlId}|P|2.5`, qpd, rcp];
  if (dsc) segs.push(dsc);
  return segs.join('\r') + '\r';
}

/** The QPD segment of a sample, as written. */
function qpdOf(sample: Hl7v2Message): string {
  const qpd = sample.first('QPD');
  if (!qpd) throw new Error('the sample has no QPD segment');
  return qpd.toString();
}

// ---------------------------------------------------------------------------------------------
// What each sample is expected to do beyond its MANIFEST verdict.

/**
 * Positive request samples whose MANIFEST verdict cannot hold for a reason outside the server:
 * asserted exactly as the server answers, with the reason.
 */
/** Content checks of the answers to positive query samples. Every positive query sample needs one. */
const QUERY_CONTENT: Record<string, (answer: string) => void> = {
  'ipf_iti9_QBP_Q23_request.hl7': (a) => {
    expect(field(a, 'MSH', 9)).to.equal('RSP^K23^RSP_K23');
    expect(field(a, 'QAK', 1)).to.equal('QRY10501110');
    const ids = pid3s(a);
    expect(ids, 'one PID').to.have.length(1);
    expect(ids[0]).to.include('XYZ10501^^^XREF2005&1.3.6.1.4.1.21367.2005.1.2&ISO');
    expect(ids[0].some((i) => i.startsWith('ABC10501^')), 'the queried id is not returned').to.equal(false);
    expect(ids[0].some((i) => i.endsWith('^^^REGION&2.999.392.1.2&ISO')), 'the regional id is returned').to.equal(true);
    expect(field(a, 'PID', 5)).to.equal('~^^^^^^S');
  },
  'ipf_PDQ_ID_Query.hl7': (a) => {
    expect(field(a, 'MSH', 9)).to.equal('RSP^K22^RSP_K21');
    expect(pid3s(a), 'one patient').to.have.length(1);
    expect(pid3s(a)[0]).to.include.members(['PDQ113XX03^^^&1.2.3.4&ISO', 'PDQ113XX04^^^&1.2.3.4.5&ISO']);
    expect(field(a, 'PID', 5)).to.equal('HOLMES^SHERLOCK^^^^^L');
    expect(field(a, 'PID', 18)).to.equal('ACC001^^^&1.2.3&ISO^AN');
  },
  'ipf_PDQ_Maximal_Query.hl7': (a) => {
    expect(pid3s(a), 'PID-3 limited to the what-domain of QPD-8').to.deep.equal([['HM-0001^^^XREF2005&1.3.6.1.4.1.21367.2005.1.2&ISO']]);
    expect(field(a, 'PID', 5)).to.equal('Heidi^MARY^^^^^L');
    expect(field(a, 'PID', 7)).to.equal('19400101');
    expect(field(a, 'PID', 8)).to.equal('F');
    expect(field(a, 'PID', 11)).to.equal('3443 North Arctic Avenue^^Some City^IL^60000^US^H');
  },
  'ipf_iti-21.hl7': (a) => {
    expect(field(a, 'QAK', 1)).to.equal('1486133033');
    expect(segments(a, 'PID'), 'only Mayer^Hans').to.have.length(1);
    expect(field(a, 'PID', 5)).to.equal('Mayer^Hans^^^^^L~Mayer^^^^^^B');
    expect(pid3s(a)[0]).to.include('78245^^^PKLN&2.16.840.1.113883.3.37.4.1.1.2.511.1&ISO');
    expect(segments(a, 'DSC'), 'one match is within RCP-2 10^RD').to.have.length(0);
  },
  'ipf_qbp_Q22.hl7': (a) => {
    expect(pid3s(a)).to.deep.equal([['ABC10501^^^HIMSS2005&1.3.6.1.4.1.21367.2005.1.1&ISO']]);
    expect(field(a, 'PID', 5)).to.equal('MOORE^CHIP^^^^^L');
    expect(field(a, 'PID', 7)).to.equal('19380224');
  },
};

type Equivalence = (ctx: { s: TestServer; sample: Hl7v2Message; answers: Map<string, string> }) => Promise<void>;

/** Response samples: the equivalent query, and how our answer must match the sample. */
const RESPONSE_EQUIVALENTS: Record<string, Equivalence> = {
  'ipf_pixquery_err-1_Response.hl7': async ({ s, sample }) => {
    // Unknown patient in a known domain (HZLN, fed by ipf_A04.hl7): AE, ERR QPD^1^3^1^1, 204.
    const ours = (await exchange(s, Buffer.from(qbpQ23(qpdOf(sample), 'EQ-ERR1')))).answer;
    expectSameOutcome(sample, ours);
    expect(field(ours, 'MSH', 9)).to.equal('RSP^K23^RSP_K23');
    expect(segments(ours, 'PID')).to.have.length(0);
  },
  'ipf_pixquery_err-2_Response.hl7': async ({ s, sample }) => {
    // The sample (an older ITI TF revision) answers unknown what-domains with ACK^Q23 and MSA AR.
    // The current ITI TF-2 3.9.4.2.2.6 (case 5) says: RSP^K23, MSA AE, QAK AE, one ERR per unknown
    // domain with ERR-2 QPD^1^4^n and ERR-3 204. The sample's locations and code are kept; the
    // message type and MSA-1 follow the current rule.
    expect(sampleValue(sample, 'MSH', 9, 1) + '^' + sampleValue(sample, 'MSH', 9, 2)).to.equal('ACK^Q23');
    expect(sampleValue(sample, 'MSA', 1)).to.equal('AR');
    // Its QPD is not in the sample; MSA-3 names the two unknown what-domains (^^^NONEXISTING and
    // ^^^&1.2.3.4&ISO) at repetitions 2 and 3. 1.2.3.4 is known here (the project's case for
    // ipf_PDQ_ID_Query.hl7 feeds it), so another unknown OID takes its place.
    const qpd = 'QPD|QRY_1001^Query for Corresponding Identifiers^IHEDEMO|QRY10501108|79471^^^HZLN^PI|^^^KHKN~^^^NONEXISTING~^^^&1.2.3.4.404&ISO';
    const ours = (await exchange(s, Buffer.from(qbpQ23(qpd, 'EQ-ERR2')))).answer;
    expect(field(ours, 'MSH', 9)).to.equal('RSP^K23^RSP_K23');
    expect(field(ours, 'MSA', 1), show(ours)).to.equal('AE');
    expect(field(ours, 'QAK', 2)).to.equal('AE');
    expect(errLocations(ours)).to.deep.equal(errLocations(sample.text));
    expect(errLocations(ours)).to.deep.equal(['QPD^1^4^2', 'QPD^1^4^3']);
    expect(errCodes(ours)).to.deep.equal(['204', '204']);
    expect(segments(ours, 'PID')).to.have.length(0);
  },
  'ipf_pixquery_nf-1_Response.hl7': async ({ s, sample }) => {
    // This server gives every patient a regional ID, so with QPD-4 empty (as in the sample) the
    // answer is never NF. NF means "nothing in the requested domains": the equivalent query asks for
    // a domain (PKLN) where 79234 has no id.
    const qpd = qpdOf(sample) + '|^^^PKLN&2.16.840.1.113883.3.37.4.1.1.2.511.1&ISO';
    const ours = (await exchange(s, Buffer.from(qbpQ23(qpd, 'EQ-NF1')))).answer;
    expectSameOutcome(sample, ours);
    expect(segments(sample.text, 'PID')).to.have.length(0);
    expect(segments(ours, 'PID')).to.have.length(0);
  },
  'ipf_pixquery_ok-2_Response.hl7': async ({ s, sample }) => {
    const ours = (await exchange(s, Buffer.from(qbpQ23(qpdOf(sample), 'EQ-OK2')))).answer;
    expectSameOutcome(sample, ours);
    expectPid3Shape(sample, ours);
    // The sample returns the queried id too (79471 in HZLN, whose OID is among the what-domains);
    // ITI TF-2 3.9.4.2.2.6 leaves it out, and so does this server.
    expect(pid3s(sample.text)[0].some((i) => i.startsWith('79471^'))).to.equal(true);
    expect(pid3s(ours)).to.deep.equal([['78912^^^PKLN&2.16.840.1.113883.3.37.4.1.1.2.511.1&ISO']]);
    expect(field(ours, 'PID', 5)).to.equal(field(sample.text, 'PID', 5)).and.to.equal('~^^^^^^S');
  },
  'ipf_rsp_K23.hl7': async ({ s, sample }) => {
    const ours = (await exchange(s, Buffer.from(qbpQ23(qpdOf(sample), 'EQ-TPLUS')))).answer;
    expectSameOutcome(sample, ours);
    expectPid3Shape(sample, ours);
    expect(pid3s(ours)[0]).to.include('12312^^^TPLUS&1.3.6.1.4.1.21367.2011.2.1.226&ISO');
    expect(pid3s(ours)[0].some((i) => i.startsWith('566253be-'))).to.equal(false);
    expect(field(ours, 'PID', 5)).to.equal(field(sample.text, 'PID', 5)).and.to.equal('~^^^^^^S');
  },
  'openhim_pixResponse_notFound.er7': async ({ s, sample }) => {
    // Both domains of the query are known (the project's case feeds them): only the patient is unknown.
    const ours = (await exchange(s, Buffer.from(qbpQ23(qpdOf(sample), 'EQ-OPENHIM')))).answer;
    expectSameOutcome(sample, ours);
    expect(errLocations(ours)).to.deep.equal(['QPD^1^3^1^1']);
    expect(segments(ours, 'PID')).to.have.length(0);
  },
  'ipf_PDQ_Maximal_Query_Response.hl7': async ({ sample, answers }) => {
    // The equivalent query is the sample ipf_PDQ_Maximal_Query.hl7 itself, answered earlier.
    const ours = answers.get('ipf_PDQ_Maximal_Query.hl7');
    expect(ours, 'ipf_PDQ_Maximal_Query.hl7 was answered').to.be.a('string');
    expectSameOutcome(sample, ours!);
    expectPid3Shape(sample, ours!);
    expect(segments(ours!, 'PID').map((p) => nameTypes(p[5]))).to.deep.equal(segments(sample.text, 'PID').map((p) => nameTypes(p[5])));
  },
  'ipf_PDQ_Response.hl7': async ({ s, sample }) => {
    // The sample ends its page with DSC|10|I: an interactive continuation. Our server does the same
    // when RCP-2 limits the page: the first page holds 10 PIDs and a DSC pointer, the next the rest.
    expect(sampleValue(sample, 'DSC', 2)).to.equal('I');
    const qpd = qpdOf(sample);
    const tag = sample.first('QPD')!.get(2);
    const first = (await exchange(s, Buffer.from(qbpQ22(qpd, 'EQ-DSC-1', 'RCP|I|10^RD')))).answer;
    expectSameOutcome(sample, first);
    expect(segments(first, 'PID'), show(first)).to.have.length(10);
    const pointer = field(first, 'DSC', 1);
    expect(pointer, 'DSC-1 pointer').to.not.equal('');
    expect(field(first, 'DSC', 2)).to.equal('I');
    expectPid3Shape(sample, first);
    const sampleNameTypes = new Set(segments(sample.text, 'PID').map((p) => nameTypes(p[5])));
    for (const p of segments(first, 'PID')) expect(sampleNameTypes, `PID-5 ${p[5]}`).to.include(nameTypes(p[5]));

    const next = (await exchange(s, Buffer.from(qbpQ22(qpd, 'EQ-DSC-2', 'RCP|I|10^RD', `DSC|${pointer}|I`)))).answer;
    expect(field(next, 'MSA', 1), show(next)).to.equal('AA');
    expect(field(next, 'QAK', 1)).to.equal(tag);
    expect(segments(next, 'DSC'), 'the last page has no pointer').to.have.length(0);
    const all = [...pid3s(first), ...pid3s(next)].map((ids) => ids.find((i) => !i.includes('^^^REGION&'))!);
    const fedDe = caseMessages(path.join(CASES_DIR, 'pdq_response_DE_patients.hl7')).length;
    expect(all, 'every DE patient once').to.have.length(fedDe);
    expect(new Set(all).size).to.equal(fedDe);
    // Every patient of the sample's page is among ours.
    for (const ids of pid3s(sample.text)) {
      const id = ids[0].split('^')[0];
      expect(all.some((i) => i.startsWith(id + '^')), `patient ${id} of the sample`).to.equal(true);
    }

    // QCN^J01 ends an open continuation: its pointer is then unknown.
    const open = (await exchange(s, Buffer.from(qbpQ22(qpd.replace(`|${tag}|`, '|EQ-QCN|'), 'EQ-QCN-1', 'RCP|I|5^RD')))).answer;
    const openPointer = field(open, 'DSC', 1);
    expect(openPointer).to.not.equal('');
    const cancel = (await exchange(s, Buffer.from(cancelQuery('EQ-QCN').replace('PDQ_CONSUMER|HOSP_B', 'PDQ_CONSUMER|CONFORMANCE')))).answer;
    expect(field(cancel, 'MSH', 9)).to.equal('ACK^J01^ACK');
    expect(field(cancel, 'MSA', 1), show(cancel)).to.equal('AA');
    const after = (await exchange(s, Buffer.from(qbpQ22(qpd.replace(`|${tag}|`, '|EQ-QCN|'), 'EQ-QCN-2', 'RCP|I|5^RD', `DSC|${openPointer}|I`)))).answer;
    expect(field(after, 'MSA', 1)).to.equal('AE');
    expect(field(after, 'ERR', 2)).to.equal('DSC^1^1');
  },
};

// ---------------------------------------------------------------------------------------------

describe('conformance: PIX/PDQ HL7 v2 samples (pix-pdq/v2)', function () {
  this.timeout(60_000);

  const material = load(() => {
    const rows = rowsUnder(readManifest(), FOLDER);
    if (rows.length === 0) throw new Error(`${path.join(conformanceDir(), 'MANIFEST.tsv')} lists no ${FOLDER} rows`);
    return rows;
  });
  const cases = load(() => readTsv(path.join(CASES_DIR, 'MANIFEST.tsv'), ['local_file', 'for_samples', 'what']).rows.map((r) => r.values));

  if (!material.ok) {
    it('has its conformance material', () => {
      throw material.error;
    });
    return;
  }
  const rows = material.value;
  const present = rows.filter((r) => r.present);
  const samples = present.map(readSample);
  const byName = new Map(samples.map((x) => [path.basename(x.row.localFile), x]));

  it(`finds every ${FOLDER} file the MANIFEST lists`, () => {
    const missing = rows.filter((r) => !r.present).map((r) => missingMessage(r.path));
    if (missing.length > 0) throw new Error(missing.join('\n'));
  });

  it(`has a MANIFEST row for every file in ${FOLDER}`, () => {
    const dir = path.join(conformanceDir(), FOLDER);
    const listed = new Set(rows.map((r) => path.basename(r.localFile)));
    const unlisted = fs.readdirSync(dir).filter((f) => !listed.has(f));
    expect(unlisted, 'files without a MANIFEST row are never tested').to.deep.equal([]);
  });

  it('knows every sample as a request (ADT, QBP, QCN) or a response (RSP, ACK)', () => {
    for (const x of samples) expect([...REQUEST_CODES, ...RESPONSE_CODES], x.row.localFile).to.include(x.code);
  });

  it("has the project's own cases (conformance/cases/pix-pdq), each for samples that exist", () => {
    if (!cases.ok) throw cases.error;
    expect(cases.value).to.not.have.length(0);
    for (const c of cases.value) {
      expect(fs.existsSync(path.join(CASES_DIR, c.local_file)), c.local_file).to.equal(true);
      for (const name of c.for_samples.split(/\s+/)) expect(rows.map((r) => path.basename(r.localFile)), c.local_file).to.include(name);
    }
  });

  let s: TestServer;
  const answers = new Map<string, string>();
  before(async () => {
    s = await startTestServer({ identity: { domains: [SSMIX2_DOMAIN] } });
  });
  after(async () => {
    await s?.stop();
  });

  const requests = samples.filter((x) => REQUEST_CODES.has(x.code));
  const responses = samples.filter((x) => RESPONSE_CODES.has(x.code));
  // Feeds first (merges last among them), then queries and cancels.
  const rank = (x: Sample) => (x.code === 'ADT' ? (x.event === 'A40' ? 1 : 0) : x.code === 'QBP' ? 3 : 4);
  const ordered = [...requests].sort((a, b) => rank(a) - rank(b));
  const feeds = ordered.filter((x) => x.code === 'ADT');
  const queries = ordered.filter((x) => x.code !== 'ADT');

  const requestTest = (x: Sample) => {
    const name = path.basename(x.row.localFile);
    const negative = isNegative(x.row);
    const title = `${name}: ${negative ? 'refused (AE/AR with ERR)' : 'accepted (AA)'}`;
    it(title, async () => {
      const { answer, replies } = await exchange(s, x.bytes, x.framed);
      answers.set(name, answer);
      expect(field(answer, 'MSA', 2), 'MSA-2 names the request' + show(answer)).to.equal(x.controlId);
      if (negative) {
        expect(['AE', 'AR'], 'MSA-1' + show(answer)).to.include(field(answer, 'MSA', 1));
        const errs = segments(answer, 'ERR');
        expect(errs, 'an ERR segment' + show(answer)).to.not.have.length(0);
        for (const e of errs) {
          expect(e[2], 'ERR-2 location').to.not.equal('');
          expect(e[3], 'ERR-3 code from HL7 table 0357').to.match(/^(1\d\d|2\d\d)\^/);
        }
        // In enhanced mode (MSH-15 ER) the accept acknowledgement says the same.
        for (const r of replies) expect(['AE', 'AR', 'CE', 'CR']).to.include(field(r, 'MSA', 1));
        return;
      }
      expect(field(answer, 'MSA', 1), 'MSA-1' + show(answer)).to.equal('AA');
      expect(segments(answer, 'ERR').filter((e) => (e[4] ?? 'E') === 'E'), 'no error' + show(answer)).to.have.length(0);
      if (x.code === 'QBP') {
        expect(field(answer, 'QAK', 2), 'QAK-2' + show(answer)).to.equal('OK');
        const check = QUERY_CONTENT[name];
        expect(check, `no content check for the positive query sample ${name}`).to.be.a('function');
        check(answer);
      }
    });
  };

  describe('feeds (ITI-8)', () => {
    for (const x of feeds) requestTest(x);
  });

  describe("the project's own feed cases (conformance/cases/pix-pdq)", () => {
    const list = cases.ok ? cases.value : [];
    for (const c of list) {
      it(`${c.local_file}: every message accepted (AA)`, async () => {
        const file = path.join(CASES_DIR, c.local_file);
        if (!fs.existsSync(file)) throw new Error(`project case missing: ${file}`);
        const messages = caseMessages(file);
        expect(messages).to.not.have.length(0);
        for (const m of messages) {
          const { answer } = await exchange(s, m);
          expect(field(answer, 'MSA', 1), show(answer)).to.equal('AA');
        }
      });
    }
  });

  describe('queries (ITI-9, ITI-21)', () => {
    for (const x of queries) requestTest(x);
  });

  describe('responses: parsed by our codec, and matched by our answer to the equivalent query', () => {
    for (const x of responses) {
      const name = path.basename(x.row.localFile);
      it(`${name}: Hl7v2Message.parse reads it`, () => {
        const text = decodeMessage(x.bytes, declaredCharset(x.bytes, 'ascii').charset);
        const m = Hl7v2Message.parse(text);
        expect(m.header.type.code).to.equal(x.code);
        expect(m.header.controlId).to.equal(x.controlId);
        expect(m.first('MSA'), 'MSA').to.not.equal(undefined);
        expect(['AA', 'AE', 'AR']).to.include(m.first('MSA')!.get(1));
        if (x.code === 'RSP') {
          expect(m.first('QAK'), 'QAK').to.not.equal(undefined);
          expect(m.first('QPD'), 'QPD').to.not.equal(undefined);
          expect(m.first('QAK')!.get(1), 'QAK-1 is QPD-2').to.equal(m.first('QPD')!.get(2));
        }
        // Every PID-3 repetition is read as a CX with an id.
        for (const pid of m.all('PID')) for (const rep of pid.reps(3)) expect(rep.get(1), `PID-3 of ${name}`).to.not.equal('');
      });
      it(`${name}: our server answers the equivalent query alike`, async () => {
        const eq = RESPONSE_EQUIVALENTS[name];
        expect(eq, `no equivalent query defined for the response sample ${name}`).to.be.a('function');
        const sample = Hl7v2Message.parse(decodeMessage(x.bytes, declaredCharset(x.bytes, 'ascii').charset));
        await eq({ s, sample, answers });
      });
    }
  });

  describe('SS-MIX2 reference ADT-00: ISO-2022-JP names through ITI-8 and PDQ', () => {
    const dir = path.resolve(conformanceDir(), '..', 'ssmix2-reference', SSMIX2_ADT00);
    const KANJI = '患者^太郎^^^^^L^I';
    const KANA = 'カンジャ^タロウ^^^^^L^P';
    const ADDRESS = '静岡県静岡市登呂１－３－５';
    const PID3 = `9999013^^^${SSMIX2_DOMAIN.namespace}&${SSMIX2_DOMAIN.oid}&ISO`;
    let fed = false;

    const file = () => {
      const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      if (files.length !== 1) throw new Error(missingMessage(path.join(dir, '<the one ADT-00 file>')));
      return path.join(dir, files[0]);
    };
    const jis = (text: string) => Buffer.from(Encoding.convert(Encoding.stringToCode(text), { to: 'JIS', from: 'UNICODE' }));

    it('feeds the raw ISO-2022-JP ADT^A08 (PID-3 without authority: the source default applies): AA', async () => {
      const bytes = fs.readFileSync(file());
      expect(bytes.includes(Buffer.from([0x1b, 0x24, 0x42])), 'the sample holds JIS X 0208 runs').to.equal(true);
      const { answer } = await exchange(s, bytes);
      expect(field(answer, 'MSA', 1), show(answer)).to.equal('AA');
      expect(field(answer, 'MSA', 2)).to.equal('20111220000001');
      fed = true;
    });

    const queries: [string, string[]][] = [
      ['by kana family-name prefix', ['@PID.5.1.1^カン*']],
      ['by kanji family and given name', ['@PID.5.1.1^患者', '@PID.5.2^太郎']],
    ];
    for (const [label, params] of queries) {
      it(`PDQ ${label}: the names and the address come back intact in ISO-2022-JP and in UTF-8`, async () => {
        expect(fed, 'the ADT-00 feed was accepted').to.equal(true);
        // ISO-2022-JP, MSH-18 ~ISO IR87, encoded by encoding-japanese.
        const jisQuery = jis(pdqQuery({ params, charset: '~ISO IR87' }));
        expect(jisQuery.includes(Buffer.from([0x1b, 0x24, 0x42])), 'the query itself is JIS-encoded').to.equal(true);
        const c = await s.client();
        let rawReply: Buffer;
        try {
          rawReply = await c.send(jisQuery);
        } finally {
          await c.close();
        }
        expect(rawReply.includes(Buffer.from([0x1b, 0x24, 0x42])), 'the answer carries JIS X 0208').to.equal(true);
        const viaCodec = decodeReply(rawReply);
        const viaLibrary = Encoding.codeToString(Encoding.convert(rawReply, { to: 'UNICODE', from: 'JIS' }));
        expect(viaLibrary, 'encoding-japanese and our decoder read the same answer').to.equal(viaCodec);
        expect(field(viaCodec, 'MSH', 18)).to.equal('~ISO IR87');
        expect(field(viaCodec, 'MSA', 1), show(viaCodec)).to.equal('AA');
        expect(field(viaCodec, 'QAK', 2)).to.equal('OK');
        expect(segments(viaCodec, 'PID'), show(viaCodec)).to.have.length(1);
        expect(field(viaCodec, 'PID', 5)).to.equal(`${KANJI}~${KANA}`);
        expect(field(viaCodec, 'PID', 11)).to.contain(ADDRESS);
        expect(field(viaCodec, 'PID', 3).split('~')).to.include(PID3);

        // UTF-8.
        const utf8 = (await exchange(s, Buffer.from(pdqQuery({ params, charset: 'UNICODE UTF-8' }), 'utf8'))).answer;
        expect(field(utf8, 'MSH', 18)).to.equal('UNICODE UTF-8');
        expect(field(utf8, 'PID', 5)).to.equal(`${KANJI}~${KANA}`);
        expect(field(utf8, 'PID', 11)).to.contain(ADDRESS);
        // The JIS answer decodes to the same PID as the UTF-8 one.
        expect(segments(viaCodec, 'PID')).to.deep.equal(segments(utf8, 'PID'));
      });
    }
  });
});
