import { expect } from 'chai';
import { totalsBy } from './routes.ts';

describe('console: operations counters', () => {
  it('sums a counter\'s samples by the labels asked for', () => {
    const samples = [
      { labels: { transaction: 'ITI-8', edge: 'mllp', outcome: 'AA' }, value: 3 },
      { labels: { transaction: 'ITI-8', edge: 'mllp', outcome: 'AE' }, value: 1 },
      { labels: { transaction: 'ITI-18', edge: 'soap', outcome: 'Success' }, value: 2 },
      { labels: { transaction: 'ITI-8', edge: 'internal', outcome: 'AA' }, value: 4 },
    ];
    expect([...totalsBy(samples, ['transaction'])]).to.deep.equal([['ITI-8', 8], ['ITI-18', 2]]);
    expect(totalsBy(samples, ['transaction', 'outcome']).get('ITI-8 AA')).to.equal(7);
  });
});
