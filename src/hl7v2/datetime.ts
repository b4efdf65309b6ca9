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

/** The date part (YYYYMMDD, or shorter when less precise) of a DT/DTM value, or '' when malformed. */
export function hl7Date(value: string): string {
  const m = DATE_RE.exec(value.trim());
  if (!m) return '';
  const [, y, mo, d] = m;
  if (mo && (Number(mo) < 1 || Number(mo) > 12)) return '';
  if (d && (Number(d) < 1 || Number(d) > 31)) return '';
  return y + (mo ?? '') + (mo && d ? d : '');
}
