/**
 * Check digit of the 12-digit individual number: the first 11 digits are weighted 6,5,4,3,2,7,6,5,4,3,2
 * from the left; r = sum mod 11; the check digit is 0 when r <= 1, else 11 - r.
 */
const WEIGHTS = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

export function individualNumberCheckDigit(first11: string): number {
  if (!/^\d{11}$/.test(first11)) throw new RangeError('expected 11 digits');
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += Number(first11[i]) * WEIGHTS[i];
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

export function isValidIndividualNumber(n: string): boolean {
  return /^\d{12}$/.test(n) && individualNumberCheckDigit(n.slice(0, 11)) === Number(n[11]);
}
