/** IANA time zones (the tz database names, e.g. Asia/Tokyo) and times shown in one. */

/** A tz database name that this Node knows: Area/Location (or UTC); offsets and abbreviations are not names. */
export function isIanaTimeZone(name: string): boolean {
  if (!/^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * An instant (ISO 8601, or anything Date reads) as `YYYY-MM-DD HH:MM:SS` in the zone, and the zone's
 * offset then (`+09:00`); undefined when it is not a time.
 */
export function localTime(instant: string, timeZone: string): { text: string; offset: string } | undefined {
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return undefined;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(d);
  const p = (type: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === type)?.value ?? '';
  // longOffset is `GMT+09:00`, or `GMT` at offset zero.
  const offset = p('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return { text: `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}:${p('second')}`, offset };
}
