import { expect } from 'chai';
import { shownDtm } from './entry.ts';

describe('console: document entry dates', () => {
  it('shows an XDS DTM of any precision as a date and time', () => {
    expect(shownDtm('20240507145859')).to.equal('2024-05-07 14:58');
    expect(shownDtm('202405071458')).to.equal('2024-05-07 14:58');
    expect(shownDtm('2024050714')).to.equal('2024-05-07 14:00');
    expect(shownDtm('20240507')).to.equal('2024-05-07');
    expect(shownDtm('2024')).to.equal('2024');
    expect(shownDtm(undefined)).to.equal('');
    expect(shownDtm('junk')).to.equal('junk');
  });
});
