/**
 * The XML Schema datatypes dicom2017c.xsd uses, checked the way libxml2 (xmllint) checks them, so that
 * the in-process validator and `xmllint --schema` give the same verdict (XML Schema Part 2, 3.2-3.3).
 */
export type SimpleType =
  | { kind: 'any' }
  | { kind: 'token' }
  | { kind: 'string' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'dateTime' }
  | { kind: 'boolean' }
  | { kind: 'base64Binary' }
  | { kind: 'integer' };

/** xs:token whitespace facet: collapse. */
export function collapse(s: string): string {
  return /[\t\n\r ]{2}|^[\t\n\r ]|[\t\n\r ]$|[\t\n\r]/.test(s) ? s.replace(/[\t\n\r ]+/g, ' ').trim() : s;
}

const DATE_TIME = /^(-?)(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-](\d\d):(\d\d))?$/;

export function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** xs:dateTime; libxml2 takes no surrounding whitespace in it. */
export function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const [, sign, y, mo, d, h, mi, sec, frac, tz, tzh, tzm] = m;
  if (y.length > 4 && y.startsWith('0')) return false;
  const year = Number(y) * (sign ? -1 : 1);
  if (year === 0) return false;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(Math.abs(year), month)) return false;
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (hour === 24) {
    if (minute !== 0 || second !== 0 || (frac && /[1-9]/.test(frac))) return false;
  } else if (hour > 23 || minute > 59 || second > 59) return false;
  if (tz && tz !== 'Z') {
    const offset = Number(tzh) * 60 + Number(tzm);
    if (Number(tzm) > 59 || offset > 14 * 60) return false;
  }
  return true;
}

export function isBoolean(s: string): boolean {
  if (s === 'true' || s === 'false') return true;
  const v = collapse(s);
  return v === 'true' || v === 'false' || v === '1' || v === '0';
}

export function isInteger(s: string): boolean {
  return /^[+-]?\d+$/.test(collapse(s));
}

const B64 = /^[A-Za-z0-9+/]*$/;

/**
 * xs:base64Binary: groups of four, padding only at the end with zero bits before it. Like libxml2,
 * characters outside the base64 alphabet (whitespace, and any other) are skipped.
 */
export function isBase64Binary(s: string): boolean {
  const v = s.replace(/[^A-Za-z0-9+/=]+/g, '');
  if (v.length % 4 !== 0) return false;
  const pad = v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0;
  const body = v.slice(0, v.length - pad);
  if (!B64.test(body)) return false;
  if (pad === 2) return 'AQgw'.includes(body[body.length - 1]);
  if (pad === 1) return 'AEIMQUYcgkosw048'.includes(body[body.length - 1]);
  return true;
}

/** Why a value is not of the type, or undefined when it is. */
export function checkValue(type: SimpleType, value: string): string | undefined {
  switch (type.kind) {
    case 'any':
    case 'token':
    case 'string':
      return undefined;
    case 'enum':
      // A listed value has no whitespace to collapse: the usual case needs no collapse.
      return type.values.includes(value) || type.values.includes(collapse(value)) ? undefined : `'${value}' is not one of {${type.values.join(', ')}}`;
    case 'dateTime':
      return isDateTime(value) ? undefined : `'${value}' is not an xs:dateTime`;
    case 'boolean':
      return isBoolean(value) ? undefined : `'${value}' is not an xs:boolean`;
    case 'integer':
      return isInteger(value) ? undefined : `'${value}' is not an xs:integer`;
    case 'base64Binary':
      return isBase64Binary(value) ? undefined : `'${value.length > 40 ? value.slice(0, 40) + '...' : value}' is not xs:base64Binary`;
  }
}
