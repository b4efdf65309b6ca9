import { expect } from 'chai';
import { PrimaryPositions } from './replicaLag.ts';
import { lsnBytes } from './pgStore.ts';

describe('replica lag from the primary\'s WAL positions', () => {
  it('reads an LSN as a byte position', () => {
    expect(lsnBytes('0/16B3748')).to.equal(0x16b3748n);
    expect(lsnBytes('16/B374D848')).to.equal((0x16n << 32n) + 0xb374d848n);
  });

  it('is the age of the newest primary position the replica has replayed, Infinity when it is behind all kept', () => {
    const p = new PrimaryPositions(10_000);
    p.add(100n, 1000);
    p.add(200n, 2000);
    p.add(200n, 3000);
    expect(p.lagOf(200n, 3100), 'caught up with an idle primary').to.equal(100);
    expect(p.lagOf(150n, 3100)).to.equal(2100);
    expect(p.lagOf(99n, 3100)).to.equal(Infinity);
    p.add(300n, 20_000);
    expect(p.lagOf(200n, 20_000), 'samples older than keepMs are dropped').to.equal(Infinity);
  });
});
