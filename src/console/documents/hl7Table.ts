/**
 * An HL7 v2 message (SS-MIX2 and other ER7 messages) as tables a person reads: one table per segment,
 * one row per field that has a value, its name in the reader's language (hl7Fields.ts), components
 * separated and escape sequences undone (HL7 v2.5 2.7); observations (OBX) also as a results table
 * with units, reference range and abnormal flag. The bytes are decoded first by the charset MSH-18
 * declares (ISO-2022-JP for SS-MIX2: hl7v2/charset.ts).
 */
import { declaredCharset, decodeMessage } from '../../hl7v2/charset.ts';
import { html, type Html } from '../html.ts';
import type { Lang, Messages } from '../i18n/messages.ts';
import { fieldName, segmentName } from './hl7Fields.ts';

export interface ParsedSegment {
  name: string;
  /** fields[n] is field n (MSH-1 is the field separator itself); each a list of repetitions of components. */
  fields: string[][][];
}

export interface ParsedMessage {
  separators: { field: string; component: string; repetition: string; escape: string; subcomponent: string };
  segments: ParsedSegment[];
}

/** The message text of stored bytes, or undefined when they are not an ER7 message. */
export function hl7Text(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 3)).toString('latin1');
  if (head !== 'MSH') return undefined;
  try {
    return decodeMessage(bytes, declaredCharset(bytes, 'iso-2022-jp').charset);
  } catch {
    return undefined;
  }
}

/** HL7 escape sequences (\F\ \S\ \T\ \R\ \E\, \X..\ hex) undone; formatting escapes dropped. */
function unescape(v: string, s: ParsedMessage['separators']): string {
  const e = s.escape;
  if (!e || !v.includes(e)) return v;
  const re = new RegExp(`${e.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}([^${e.replace(/[\\\]^-]/g, '\\$&')}]*)${e.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`, 'g');
  return v.replace(re, (_m, code: string) => {
    switch (code) {
      case 'F': return s.field;
      case 'S': return s.component;
      case 'T': return s.subcomponent;
      case 'R': return s.repetition;
      case 'E': return s.escape;
      case '.br': return '\n';
      default:
        if (/^X([0-9A-Fa-f]{2})+$/.test(code)) return Buffer.from(code.slice(1), 'hex').toString('latin1');
        return '';
    }
  });
}

export function parseHl7(text: string): ParsedMessage {
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
  const msh = lines[0] ?? '';
  const field = msh[3] ?? '|';
  const enc = msh.slice(4, 8);
  const separators = { field, component: enc[0] ?? '^', repetition: enc[1] ?? '~', escape: enc[2] ?? '\\', subcomponent: enc[3] ?? '&' };
  const segments = lines.map((line) => {
    const parts = line.split(field);
    const name = parts[0] ?? '';
    const raw = name === 'MSH' ? [name, field, ...parts.slice(1)] : parts;
    const fields = raw.map((f, i) => {
      if (name === 'MSH' && (i === 1 || i === 2)) return [[f]];
      return f.split(separators.repetition).map((rep) => rep.split(separators.component).map((c) => unescape(c.split(separators.subcomponent).join(' '), separators)));
    });
    return { name, fields };
  });
  return { separators, segments };
}

/** A field as text: components joined by ' ^ ' (empty trailing ones dropped), repetitions on lines of their own. */
export function fieldText(reps: string[][]): string {
  return reps
    .map((comps) => {
      const c = [...comps];
      while (c.length && c[c.length - 1] === '') c.pop();
      return c.join(' ^ ');
    })
    .filter((r) => r !== '')
    .join('\n');
}

const comp = (reps: string[][] | undefined, i: number) => reps?.[0]?.[i] ?? '';

/** The observations (OBX) as results: item, value, units, reference range, flag (H/L/N...). */
export function observations(m: ParsedMessage): { item: string; value: string; units: string; range: string; flag: string; time: string }[] {
  return m.segments
    .filter((s) => s.name === 'OBX')
    .map((s) => ({
      item: comp(s.fields[3], 1) || comp(s.fields[3], 0),
      value: fieldText(s.fields[5] ?? []),
      units: comp(s.fields[6], 1) || comp(s.fields[6], 0),
      range: comp(s.fields[7], 0),
      flag: comp(s.fields[8], 0),
      time: comp(s.fields[14], 0),
    }));
}

const FLAG: Record<string, [string, string]> = { H: ['高', 'high'], L: ['低', 'low'], HH: ['異常高値', 'critically high'], LL: ['異常低値', 'critically low'], A: ['異常', 'abnormal'], N: ['', ''] };

export function flagText(flag: string, lang: Lang): string {
  const f = FLAG[flag];
  return f ? f[lang === 'ja' ? 0 : 1] : flag;
}

export function resultsTable(m: ParsedMessage, lang: Lang): Html {
  const rows = observations(m);
  if (rows.length === 0) return html``;
  const head = lang === 'ja' ? ['検査項目', '結果', '単位', '基準値', '判定'] : ['Test', 'Result', 'Units', 'Reference range', 'Flag'];
  return html`<div class="table"><table class="results"><caption>${lang === 'ja' ? '検査結果' : 'Results'}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => {
    const abnormal = r.flag !== '' && r.flag !== 'N';
    return html`<tr><td>${r.item}</td><td${abnormal ? html` class="abnormal"` : ''}>${r.value}</td><td>${r.units}</td><td>${r.range}</td><td>${abnormal ? html`<span class="abnormal">${flagText(r.flag, lang)} (${r.flag})</span>` : ''}</td></tr>`;
  })}</tbody></table></div>`;
}

/** Every segment as a table of its fields that have a value. */
export function segmentTables(m: ParsedMessage, t: Messages, lang: Lang): Html {
  return html`${m.segments.map((s, i) => {
    const rows = s.fields
      .map((reps, n) => ({ n, reps }))
      .filter(({ n, reps }) => n > 0 && fieldText(reps) !== '');
    const title = segmentName(s.name, lang);
    return html`<div class="table"><table class="segment" id="seg-${i}"><caption>${s.name}${title ? html` ${title}` : ''}</caption>
<thead><tr><th scope="col">${t.field}</th><th scope="col">${t.fieldName}</th><th scope="col">${t.value}</th></tr></thead>
<tbody>${rows.map(({ n, reps }) => html`<tr><td>${s.name}-${n}</td><td>${fieldName(s.name, n, lang)}</td><td>${fieldText(reps)}</td></tr>`)}</tbody></table></div>`;
  })}`;
}
