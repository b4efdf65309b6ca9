/** HL7 v2 DTM/TS values. */

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** YYYYMMDDHHMMSS.SSS+ZZZZ in local time (HL7 2.5 DTM). */
export function hl7Timestamp(d = new Date()): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return (
    `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}` +
    `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

const DATE_RE = /^(\d{4})(\d{2})?(\d{2})?/;

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The date part (YYYYMMDD, or shorter when less precise) of a DT/DTM value, or '' when malformed. */
export function hl7Date(value: string): string {
  const m = DATE_RE.exec(value.trim());
  if (!m) return '';
  const [, y, mo, d] = m;
  if (mo && (Number(mo) < 1 || Number(mo) > 12)) return '';
  if (d && (Number(d) < 1 || Number(d) > daysIn(Number(y), Number(mo)))) return '';
  return y + (mo ?? '') + (mo && d ? d : '');
}

/** HL7 2.5 DTM (2.A.22): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]. */
const DTM_RE = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,4})?)?)?)?)?)?(?:[+-](\d{2})(\d{2}))?$/;

/** True when the value is a DTM naming a real instant: month 1-12, a day the month has, 00-23:59:59, a zone within +/-14:00. */
export function isValidDtm(value: string): boolean {
  const m = DTM_RE.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec, zh, zm] = m;
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) return false;
  if (d !== undefined && (Number(d) < 1 || Number(d) > daysIn(Number(y), Number(mo)))) return false;
  if (h !== undefined && Number(h) > 23) return false;
  if (mi !== undefined && Number(mi) > 59) return false;
  if (sec !== undefined && Number(sec) > 59) return false;
  if (zh !== undefined && (Number(zh) > 14 || Number(zm) > 59)) return false;
  return true;
}
