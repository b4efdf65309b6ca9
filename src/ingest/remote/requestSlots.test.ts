import { expect } from 'chai';
import { RequestSlots } from './requestSlots.ts';

describe('remote ingest: request slots', () => {
  it('keeps at most its size in flight, the rest in the order they came, and frees a slot when a call fails', async () => {
    const slots = new RequestSlots(2);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const calls = [0, 1, 2, 3, 4].map((n) =>
      slots.run(async () => {
        started.push(n);
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise<void>((resolve) => finish.push(resolve));
        inFlight--;
        if (n === 1) throw new Error('refused');
        return n;
      }),
    );
    const settled = Promise.allSettled(calls);
    const tick = () => new Promise((r) => setImmediate(r));
    await tick();
    expect(started).to.deep.equal([0, 1]);
    finish[1](); // the failing call ends first: its slot goes to the next waiting
    await tick();
    expect(started).to.deep.equal([0, 1, 2]);
    while (finish.length < 5) {
      finish[finish.length - 1]();
      await tick();
    }
    finish.forEach((f) => f());
    const results = await settled;
    expect(most).to.equal(2);
    expect(started).to.deep.equal([0, 1, 2, 3, 4]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).to.deep.equal([0, 'refused', 2, 3, 4]);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new RequestSlots(0)).to.throw(RangeError);
    expect(() => new RequestSlots(1.5)).to.throw(RangeError);
  });
});
