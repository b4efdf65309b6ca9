import os from 'node:os';
import { expect } from 'chai';
import { fakePeer } from '../../../test/helpers/fakePeers.ts';
import type { Community } from '../community.ts';
import { PeerFailure, PeerGateway } from './peerGateway.ts';

describe('a peer Responding Gateway: failures, back-off, and back again', () => {
  it('skips a peer after failures in a row for the back-off period without calling it, then asks it again', async () => {
    const fake = await fakePeer('garbage');
    let now = 1_000_000;
    const community = { homeCommunityId: 'urn:oid:1.2.3', name: 'flaky', queryUrl: fake.url, retrieveUrl: fake.url, identity: { mode: 'token' }, timeoutMs: 2000 } as unknown as Community;
    const peer = new PeerGateway(community, { failuresBeforeBackoff: 2, backoffMs: 30_000, maxResponseBytes: 1 << 20, spoolDir: os.tmpdir() }, () => now);
    try {
      for (let i = 0; i < 2; i++) {
        const e = await peer.query('<x/>').catch((x: unknown) => x);
        expect(e).to.be.instanceOf(PeerFailure);
        expect((e as Error).message).to.match(/flaky \(urn:oid:1\.2\.3\): .*without a SOAP envelope/);
      }
      expect(fake.hits).to.equal(2);
      expect(peer.health).to.deep.include({ name: 'flaky', failures: 2, lastFailureAt: new Date(now).toISOString(), skippedUntil: new Date(now + 30_000).toISOString() });
      expect(peer.health.lastAnswerAt).to.equal(undefined);
      const skipped = await peer.query('<x/>').catch((x: unknown) => x);
      expect((skipped as Error).message).to.match(/skipped until .* after 2 failures in a row \(last: .*without a SOAP envelope\)/);
      expect(fake.hits).to.equal(2, 'not called while skipped');
      now += 30_001;
      await peer.query('<x/>').catch(() => undefined);
      expect(fake.hits).to.equal(3, 'asked again once the back-off is over');
      expect(peer.health).to.deep.include({ failures: 3, skippedUntil: new Date(now + 30_000).toISOString() }); // failed again: skipped again
    } finally {
      peer.close();
      await fake.close();
    }
  });
});
