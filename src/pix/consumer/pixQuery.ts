/**
 * The PIX Consumer's side of ITI-9 PIX Query (ITI TF-2a 3.9): QBP^Q23 asking for a patient's ID in one
 * assigning authority (QPD-4), and that ID read from the RSP^K23's PID-3. `hie xds find` uses it to
 * turn a facility's local patient ID into the regional ID the registry is queried with.
 */
import { randomUUID } from 'node:crypto';
import { declaredCharset, decodeMessage } from '../../hl7v2/charset.ts';
import { MllpClient, type MllpClientOptions } from '../../hl7v2/mllp/client.ts';
import type { AuthorityConfig } from '../../kernel/config.ts';

export class PixQueryError extends Error {}

/** The QBP^Q23 message (ER7, CR-separated) for a CX `id^^^authority` and the wanted authority. */
export function pixQueryMessage(patientCx: string, wanted: AuthorityConfig, sender: { application: string; facility: string }): string {
  const ts = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const tag = `Q${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  return [
    `MSH|^~\\&|${sender.application}|${sender.facility}|HIE|REGION|${ts}||QBP^Q23^QBP_Q21|${tag}|P|2.5`,
    `QPD|IHE PIX Query|${tag}|${patientCx}|^^^${wanted.namespace}&${wanted.oid}&ISO`,
    'RCP|I',
  ].join('\r');
}

/**
 * The ID in `wanted` that the answer's PID-3 holds; undefined for AA without it or AE (the ID is
 * unknown: ITI TF-2a 3.9.4.2.2.6). An AR or any other answer throws with its ERR.
 */
export function regionalIdOfReply(reply: string, wanted: AuthorityConfig): string | undefined {
  const segs = reply.split(/\r\n?|\n/).map((l) => l.split('|'));
  const msa = segs.find((s) => s[0] === 'MSA')?.[1];
  if (msa !== 'AA' && msa !== 'AE') {
    const err = segs.find((s) => s[0] === 'ERR');
    throw new PixQueryError(`ITI-9 answered ${msa ?? 'nothing'}${err ? `: ${[err[3], err[8]].filter(Boolean).join(' ')}` : ''}`);
  }
  const pid3 = segs.find((s) => s[0] === 'PID')?.[3] ?? '';
  for (const rep of pid3.split('~')) {
    const c = rep.split('^');
    const hd = (c[3] ?? '').split('&');
    if (c[0] && (hd[1] === wanted.oid || (!hd[1] && hd[0] === wanted.namespace))) return c[0];
  }
  return undefined;
}

/** Asks the PIX Manager at `at` over MLLP (TLS when `at.tls` is given). */
export async function queryRegionalId(at: Pick<MllpClientOptions, 'host' | 'port' | 'tls'>, patientCx: string, wanted: AuthorityConfig, sender: { application: string; facility: string }): Promise<string | undefined> {
  const client = await MllpClient.connect({ ...at, replyTimeoutMs: 30_000 });
  try {
    const reply = await client.send(Buffer.from(pixQueryMessage(patientCx, wanted, sender), 'utf8'));
    return regionalIdOfReply(decodeMessage(reply, declaredCharset(reply, 'utf-8').charset), wanted);
  } finally {
    await client.close();
  }
}
