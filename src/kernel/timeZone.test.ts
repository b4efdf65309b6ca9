import { expect } from 'chai';
import { isIanaTimeZone, localTime } from './timeZone.ts';

describe('time zones', () => {
  it('takes tz database names only', () => {
    for (const z of ['Asia/Tokyo', 'UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+9']) expect(isIanaTimeZone(z), z).to.equal(true);
    for (const z of ['Asia/Tokio', 'JST', '+09:00', 'GMT+9', '', 'Asia/Tokyo ', '../etc/passwd']) expect(isIanaTimeZone(z), z).to.equal(false);
  });
  it('shows an instant in the zone, with its offset then', () => {
    expect(localTime('2024-03-03T15:30:05Z', 'Asia/Tokyo')).to.deep.equal({ text: '2024-03-04 00:30:05', offset: '+09:00' });
    expect(localTime('2024-03-03T15:30:05.123+00:00', 'UTC')).to.deep.equal({ text: '2024-03-03 15:30:05', offset: '+00:00' });
    // Summer time: the offset is the one in force at that instant.
    expect(localTime('2024-07-01T12:00:00Z', 'Europe/Berlin')).to.deep.equal({ text: '2024-07-01 14:00:00', offset: '+02:00' });
    expect(localTime('2024-01-01T12:00:00Z', 'Europe/Berlin')).to.deep.equal({ text: '2024-01-01 13:00:00', offset: '+01:00' });
    expect(localTime('not a time', 'Asia/Tokyo')).to.equal(undefined);
  });
});
