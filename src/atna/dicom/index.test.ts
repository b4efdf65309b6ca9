/** The UTC instant of an audit message's EventDateTime, as ITI-81 searches and sorts by it. */
import { expect } from 'chai';
import { utcInstant } from './index.ts';

/** The reading by regular expression and Date.parse that the hand-written one must agree with. */
function byDateParse(dateTime: string): string | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(dateTime.trim());
  if (!m) return undefined;
  const ms = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4] === '24' ? '00' : m[4]}:${m[5]}:${m[6]}.${ms}${m[8] ?? 'Z'}`);
  return Number.isNaN(t) ? undefined : new Date(t + (m[4] === '24' ? 86_400_000 : 0)).toISOString();
}

describe('utcInstant (xs:dateTime to a UTC instant)', () => {
  it('reads the usual forms', () => {
    expect(utcInstant('2024-01-01T00:00:00Z')).to.equal('2024-01-01T00:00:00.000Z');
    expect(utcInstant('2024-04-01T09:30:00.123+09:00')).to.equal('2024-04-01T00:30:00.123Z');
    expect(utcInstant('2024-04-01T09:30:00.123456-05:30')).to.equal('2024-04-01T15:00:00.123Z');
    expect(utcInstant('2024-04-01T09:30:00.5')).to.equal('2024-04-01T09:30:00.500Z');
    expect(utcInstant('2024-12-31T23:59:59.999-00:00')).to.equal('2024-12-31T23:59:59.999Z');
    expect(utcInstant('2024-01-01T00:00:00+23:59')).to.equal('2023-12-31T00:01:00.000Z');
  });

  it('reads 24:00:00 as the end of the day, and whitespace around the value', () => {
    expect(utcInstant('2024-12-31T24:00:00Z')).to.equal('2025-01-01T00:00:00.000Z');
    expect(utcInstant('2024-02-28T24:00:00+09:00')).to.equal('2024-02-28T15:00:00.000Z');
    expect(utcInstant(' 2024-01-01T00:00:00Z\n')).to.equal('2024-01-01T00:00:00.000Z');
  });

  it('has no instant for what is not an xs:dateTime it can place', () => {
    for (const v of ['', 'yesterday', '2024-01-01', '2024-01-01T00:00:00+24:00', '2024-01-01T00:00:00+09', '2024-01-01T00:00:00.Z', '2024-13-01T00:00:00Z', '2024-01-01t00:00:00Z', '2024-01-01T00:00Z']) {
      expect(utcInstant(v), v).to.equal(undefined);
    }
  });

  it('agrees with a reading by regular expression and Date.parse on edge cases', () => {
    const values: string[] = [];
    for (const date of ['2024-02-29', '2023-02-29', '2024-02-30', '2024-04-31', '0099-01-01', '0100-03-01', '9999-12-31', '2024-00-10', '2024-01-32'])
      for (const time of ['00:00:00', '23:59:59', '24:00:00', '24:00:01', '12:60:00', '12:00:60', '25:00:00'])
        for (const fraction of ['', '.', '.0', '.12', '.123', '.1234', '.9999999'])
          for (const zone of ['', 'Z', 'z', '+09:00', '-09:30', '+14:01', '+23:59', '+24:00', '+09:60', '-00:00', '+0900', ' '])
            values.push(`${date}T${time}${fraction}${zone}`);
    const disagreements = values.filter((v) => utcInstant(v) !== byDateParse(v)).map((v) => `${v}: ${utcInstant(v)} / ${byDateParse(v)}`);
    expect(disagreements).to.deep.equal([]);
    expect(values.filter((v) => utcInstant(v) !== undefined).length).to.be.greaterThan(500);
  });
});
