/**
 * A request's memory is bounded whatever its MTOM parts (issue 15): three concurrent ITI-41 requests,
 * each 300 unreferenced parts of 512 KiB (every one under the spool threshold, 150 MiB a request),
 * against a child server: its peak resident set grows by less than 64 MiB per request. Without the
 * per-request memory budget the same run grows by well over 100 MiB per request.
 */
import { expect } from 'chai';
import { measureMtomMemory } from '../../bench/xds/mtomMemory.ts';

describe('MTOM memory per request (xds.limits.memoryPerRequestBytes)', function () {
  this.timeout(180_000);

  it('three concurrent ITI-41 of 300 unreferenced 512 KiB parts: peak RSS grows by less than 64 MiB per request', async () => {
    const r = await measureMtomMemory({ requests: 3, parts: 300, partBytes: 512 * 1024 });
    expect(r.statuses).to.deep.equal([200, 200, 200]);
    expect(r.perRequest / 1048576, `peak RSS ${r.baselineHwm} -> ${r.peakHwm}`).to.be.lessThan(64);
  });
});
