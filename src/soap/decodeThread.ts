/**
 * A decode thread (decodeThreads.ts): parses a SOAP envelope, reads its headers and decodes its Body
 * with the action's registered decoder. The Body's XML tree does not go back once it is decoded: only
 * its element name, which the transaction checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest } from './decodeThreads.ts';
import { decodeEnvelope, type BodyDecoder } from './envelopeDecoder.ts';
import { SoapFault } from './fault.ts';

// No top-level await in a thread's modules: a thread terminated while an async module evaluates
// aborts the whole process in V8 (nodejs/node#43182, #53238), and servers stop threads that may still
// be starting. The decoders are awaited by the first message instead.
const loading = import((workerData as { decodersModule: string }).decodersModule) as Promise<{ decoders: Record<string, BodyDecoder> }>;

parentPort!.on('message', async (m: ThreadRequest) => {
  const { decoders } = await loading;
  let reply: ThreadReply;
  try {
    const { env, predecoded } = decodeEnvelope(m.bytes, m.limits, decoders);
    if (predecoded !== undefined) env.body = { ns: env.body.ns, local: env.body.local, attrs: {}, children: [], text: '' };
    reply = { seq: m.seq, ok: true, env, predecoded };
  } catch (e) {
    reply = e instanceof SoapFault ? { seq: m.seq, ok: false, fault: { code: e.code, reason: e.reason, subcode: e.subcode, extras: e.extras } } : { seq: m.seq, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  try {
    parentPort!.postMessage(reply);
  } catch (e) {
    // What cannot be cloned back, the main thread decodes itself.
    parentPort!.postMessage({ seq: m.seq, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies ThreadReply);
  }
});
