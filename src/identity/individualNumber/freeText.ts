/**
 * Free-text screening: where a field may hold anything (a name, a phone number, an observation, a
 * user name), an individual number can only be recognised by its form: 12 digits, alone or written
 * 4-4-4 with a space or hyphen, whose last digit is the check digit of the first eleven. About one
 * 12-digit string in eleven passes that check by chance (docs/individual-number.md gives the measured
 * rates), so screening is an option of the config, off by default.
 */
import { isValidIndividualNumber } from '../token/checkDigit.ts';
import { digitRuns, type DigitRun } from './digitSpellings.ts';

const SEPARATOR = /^[ \-\u3000\uFF0D\u2010-\u2015]$/;

/** The digit spans of every 12-digit run in the text that passes the check digit. */
export function checkDigitNumbers(text: string): DigitRun[] {
  const runs = digitRuns(text);
  const out: DigitRun[] = [];
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    if (r.digits.length === 12) {
      if (isValidIndividualNumber(r.digits)) out.push(r);
      continue;
    }
    // 4-4-4 written with one separator between the groups.
    if (r.digits.length === 4 && i + 2 < runs.length) {
      const [b, c] = [runs[i + 1], runs[i + 2]];
      const gap = (x: DigitRun, y: DigitRun) => text.slice(x.spans[x.spans.length - 1][1], y.spans[0][0]);
      if (b.digits.length === 4 && c.digits.length === 4 && SEPARATOR.test(gap(r, b)) && SEPARATOR.test(gap(b, c))) {
        const digits = r.digits + b.digits + c.digits;
        if (isValidIndividualNumber(digits)) {
          out.push({ digits, spans: [...r.spans, ...b.spans, ...c.spans] });
          i += 2;
        }
      }
    }
  }
  return out;
}

/** True when the text holds what looks like an individual number (checkDigitNumbers). */
export function looksLikeIndividualNumber(text: string): boolean {
  return /[0-9\uFF10-\uFF19]|&#|\\u|%3/.test(text) && checkDigitNumbers(text).length > 0;
}
