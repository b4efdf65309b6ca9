/**
 * The load generator, run in its own process (child_process.fork) so that making messages and
 * reading replies never takes CPU from the server's event loop. It gets one job over IPC, makes
 * every message before the clock starts, sends them over N MLLP connections (each keeping `depth`
 * messages in flight: depth 1 is send, wait for the ACK, send the next), checks every reply and
 * reports timings back.
 */
import net from 'node:net';
import { frame, MllpDecoder } from '../../src/hl7v2/mllp/framing.ts';
import { adtA04, encode, FACILITIES, pdqByKanaPrefix, type BenchCharset } from './messages.ts';
import { patient } from './population.ts';

export interface LoadJob {
  kind: 'feed' | 'echo' | 'pdq';
  port: number;
  connections: number;
  depth: number;
  /** Messages sent (and checked) before the clock starts. */
  warmup: number;
  /** Messages timed. */
  count: number;
  charset: BenchCharset;
  seed: number;
  /** feed/echo: index of the first patient; each job must use fresh ones. */
  firstPatient: number;
  /** pdq: the family-name prefixes, one query each, in order. */
  prefixes?: string[];
  /** pdq: RCP-2. */
  limit?: number;
  /** pdq: report every PID-3 repetition (CX) of the timed replies (LoadResult.patientIds). */
  collectPatientIds?: boolean;
}

export interface LoadResult {
  kind: LoadJob['kind'];
  connections: number;
  depth: number;
  messages: number;
  seconds: number;
  perSecond: number;
  /** Round-trip time of each timed message, in ms, in send order. */
  latencies: number[];
  /** Replies whose check failed (at most 10 kept). */
  failures: string[];
  failed: number;
  /** PDQ: PID segments returned over the timed queries. */
  pids: number;
  /** CPU this process used during the timed phase, ms. */
  cpuMs: number;
  /** pdq with collectPatientIds: every PID-3 repetition (CX) of the timed replies, in order. */
  patientIds?: string[];
}

interface Outgoing {
  bytes: Buffer;
  controlId: string;
}

function makeMessages(job: LoadJob, from: number, n: number): Outgoing[] {
  const out: Outgoing[] = [];
  for (let i = from; i < from + n; i++) {
    const controlId = `B${job.kind[0]}${i.toString(36).toUpperCase()}`;
    let text: string;
    if (job.kind === 'pdq') {
      const prefixes = job.prefixes!;
      text = pdqByKanaPrefix(prefixes[i % prefixes.length], controlId, `Q${i}`, job.limit ?? 10, job.charset);
    } else {
      const index = job.firstPatient + i;
      const facility = FACILITIES[index % FACILITIES.length];
      text = adtA04(patient(job.seed, index), facility, controlId, job.charset);
    }
    out.push({ bytes: frame(encode(text, job.charset)), controlId });
  }
  return out;
}

/** The replies are ASCII in their MSH/MSA/QAK: reading them as latin1 is enough to check them. */
function check(job: LoadJob, reply: Buffer, sent: Outgoing): { ok: boolean; why?: string; pids: number } {
  const text = reply.toString('latin1');
  const msa = /\rMSA\|([^|\r]*)(?:\|([^|\r]*))?/.exec(text);
  if (!msa) return { ok: false, why: 'no MSA', pids: 0 };
  if (msa[1] !== 'AA') {
    const err = /\rERR\|[^\r]*/.exec(text);
    return { ok: false, why: `MSA-1 ${msa[1]} ${err ? err[0].slice(1) : ''}`, pids: 0 };
  }
  if (job.kind === 'echo') return { ok: true, pids: 0 };
  if (msa[2] !== sent.controlId) return { ok: false, why: `MSA-2 ${msa[2]} is not ${sent.controlId}`, pids: 0 };
  if (job.kind === 'feed') return { ok: true, pids: 0 };
  const qak = /\rQAK\|[^|\r]*\|([^|\r]*)/.exec(text);
  if (!qak || (qak[1] !== 'OK' && qak[1] !== 'NF')) return { ok: false, why: `QAK-2 ${qak?.[1]}`, pids: 0 };
  const pids = text.split('\rPID|').length - 1;
  if (pids > (job.limit ?? 10)) return { ok: false, why: `${pids} PID segments for a limit of ${job.limit}`, pids };
  return { ok: true, pids };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.setNoDelay(true);
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

interface Phase {
  latencies: Float64Array;
  failures: string[];
  failed: number;
  pids: number;
  patientIds: string[];
}

/** Every PID-3 repetition (CX) of a reply (read as latin1: identifiers are ASCII). */
function pid3Ids(reply: Buffer): string[] {
  const out: string[] = [];
  for (const seg of reply.toString('latin1').split('\r')) {
    if (!seg.startsWith('PID|')) continue;
    for (const rep of (seg.split('|')[3] ?? '').split('~')) if (rep) out.push(rep);
  }
  return out;
}

/** Sends every message once over the connections, `depth` in flight on each; resolves when all are answered. */
async function runPhase(job: LoadJob, sockets: net.Socket[], messages: Outgoing[]): Promise<Phase> {
  const phase: Phase = { latencies: new Float64Array(messages.length), failures: [], failed: 0, pids: 0, patientIds: [] };
  if (messages.length === 0) return phase;
  let next = 0;
  let answered = 0;
  return new Promise((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const finish = (err?: Error) => {
      for (const c of cleanups) c();
      if (err) reject(err);
      else resolve(phase);
    };
    for (const socket of sockets) {
      const inFlight: { n: number; at: number }[] = [];
      const decoder = new MllpDecoder(64 << 20);
      const sendOne = () => {
        if (next >= messages.length) return;
        const n = next++;
        inFlight.push({ n, at: performance.now() });
        socket.write(messages[n].bytes);
      };
      const onData = (chunk: Buffer) => {
        const now = performance.now();
        for (const ev of decoder.push(chunk)) {
          if (ev.kind !== 'message') continue;
          const sent = inFlight.shift();
          if (!sent) return finish(new Error('reply with no request in flight'));
          phase.latencies[sent.n] = now - sent.at;
          const r = check(job, ev.bytes, messages[sent.n]);
          phase.pids += r.pids;
          if (job.collectPatientIds) phase.patientIds.push(...pid3Ids(ev.bytes));
          if (!r.ok) {
            phase.failed++;
            if (phase.failures.length < 10) phase.failures.push(`${messages[sent.n].controlId}: ${r.why}`);
          }
          if (++answered === messages.length) return finish();
          sendOne();
        }
      };
      const onClose = () => finish(new Error('server closed a connection'));
      socket.on('data', onData);
      socket.on('close', onClose);
      cleanups.push(() => {
        socket.off('data', onData);
        socket.off('close', onClose);
      });
      for (let d = 0; d < job.depth; d++) sendOne();
    }
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const warm = makeMessages(job, 0, job.warmup);
  const timed = makeMessages(job, job.warmup, job.count);
  const sockets = await Promise.all(Array.from({ length: job.connections }, () => connect(job.port)));
  const w = await runPhase(job, sockets, warm);
  // The parent measures the server's CPU between these two signals.
  await new Promise<void>((resolve) => process.send!({ phase: 'start' }, () => resolve()));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const p = await runPhase(job, sockets, timed);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  process.send!({ phase: 'end' });
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.end(resolve))));
  return {
    kind: job.kind,
    connections: job.connections,
    depth: job.depth,
    messages: job.count,
    seconds,
    perSecond: job.count / seconds,
    latencies: Array.from(p.latencies),
    failures: [...w.failures, ...p.failures].slice(0, 10),
    failed: w.failed + p.failed,
    pids: p.pids,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ...(job.collectPatientIds ? { patientIds: p.patientIds } : {}),
  };
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (e: Error) => process.send!({ ok: false, error: e.stack ?? String(e) }, () => process.exit(1)),
  );
});
