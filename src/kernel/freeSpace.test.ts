import { expect } from 'chai';
import os from 'node:os';
import { FreeSpaceGuard, InsufficientStorage, statfsProbe } from './freeSpace.ts';

describe('the free-space guard', () => {
  it('refuses writes while the probe reports less than the minimum, and reports each change once', async () => {
    let free = 10_000;
    const changes: [boolean, number][] = [];
    const g = new FreeSpaceGuard({ dir: '/x', minFreeBytes: 5000, intervalMs: 60_000, probe: async () => free, onChange: (low, f) => changes.push([low, f]) });
    await g.start();
    expect(g.low).to.equal(false);
    expect(() => g.assertWritable()).to.not.throw();
    free = 4999;
    await g.check();
    await g.check();
    expect(g.low).to.equal(true);
    expect(() => g.assertWritable()).to.throw(InsufficientStorage, 'insufficient storage');
    free = 6000;
    await g.check();
    expect(g.low).to.equal(false);
    expect(changes).to.deep.equal([
      [true, 4999],
      [false, 6000],
    ]);
    g.stop();
  });

  it('keeps its state when the probe fails, and is off at a minimum of 0', async () => {
    const errors: unknown[] = [];
    let fail = false;
    const g = new FreeSpaceGuard({ dir: '/x', minFreeBytes: 100, intervalMs: 60_000, probe: async () => (fail ? Promise.reject(new Error('EIO')) : 10), onError: (e) => errors.push(e) });
    await g.check();
    expect(g.low).to.equal(true);
    fail = true;
    await g.check();
    expect(g.low).to.equal(true);
    expect(errors).to.have.length(1);
    const off = new FreeSpaceGuard({ dir: '/x', minFreeBytes: 0, intervalMs: 60_000, probe: async () => 0 });
    await off.start();
    expect(off.low).to.equal(false);
  });

  it('reads the free space of a real folder with statfs', async () => {
    expect(await statfsProbe(os.tmpdir())).to.be.a('number').and.to.be.greaterThan(0);
  });
});
