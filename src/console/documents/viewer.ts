/**
 * The console's document viewer, the same for a local document and one held in a peer region: an HL7
 * v2 message as tables with field names, CDA and text as text, PDF and images embedded (from the raw
 * link), anything else offered for download.
 */
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { html, type Html } from '../html.ts';
import { notice, type View } from '../layout.ts';
import { hl7Text, parseHl7, resultsTable, segmentTables } from './hl7Table.ts';

/** Bigger documents are offered for download only. */
const MAX_SHOWN_BYTES = 4 * 1024 * 1024;

/**
 * Sends a stored blob. A blob that is missing (opened before anything is sent) or fails while being
 * sent is an error for the console's error handler, which logs it and answers with its error page
 * (or closes a response already started): never a stream error nobody handles.
 */
export async function sendBlob(res: Writable, file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  await pipeline(handle.createReadStream(), res);
}

/** A document's bytes: a stored file, or bytes in memory (a peer's answer). */
export type ShownFile = { mimeType: string; size: number } & ({ file: string } | { data: Buffer });

export async function shownContent(v: View, lang: 'ja' | 'en', file: ShownFile, raw: string): Promise<Html> {
  if (/^(application\/pdf)$/.test(file.mimeType)) return html`<iframe class="doc" src="${raw}" title="${v.t.document}"></iframe>`;
  if (/^image\/(png|jpeg|gif)$/.test(file.mimeType)) return html`<img class="doc" src="${raw}" alt="${v.t.document}">`;
  if (file.size > MAX_SHOWN_BYTES) return notice(v.t.notViewable);
  const bytes = 'data' in file ? file.data : await fs.promises.readFile(file.file);
  const text = hl7Text(bytes);
  if (text !== undefined) {
    const m = parseHl7(text);
    return html`${resultsTable(m, lang)}${segmentTables(m, v.t, lang)}<details><summary>${v.t.rawMessage}</summary><pre>${text.replace(/\r/g, '\n')}</pre></details>`;
  }
  if (/^(text\/|application\/(xml|hl7-v3\+xml|json))|\+xml$/.test(file.mimeType)) return html`<pre>${new TextDecoder('utf-8').decode(bytes)}</pre>`;
  return notice(v.t.notViewable);
}
