import os from 'node:os';
import { expect } from 'chai';
import { fakePeer, type FakePeer } from '../../test/helpers/fakePeers.ts';
import { readFixture, type ReadFixture } from '../../test/helpers/readFixture.ts';
import { internalContext } from '../kernel/requestContext.ts';
import { validate } from '../server/config/load.ts';
import { CommunityDirectory } from './community.ts';
import { PeerDocuments } from './peerDocuments.ts';
import { PeerGateway } from './peers/peerGateway.ts';

describe('PeerDocuments: a patient\'s documents in peer communities, for the console', () => {
  let f: ReadFixture;
  let peer: FakePeer;
  let docs: PeerDocuments;
  let personId: number;
  const ctx = internalContext('console test');

  before(async () => {
    f = await readFixture();
    peer = await fakePeer('fault');
    const xca = validate({ ...f.config, xca: { homeCommunityId: 'urn:oid:1.2.3.1', communities: [{ homeCommunityId: 'urn:oid:1.2.3.2', name: '隣の地域', queryUrl: peer.url, retrieveUrl: peer.url, timeoutMs: 2000 }] } }).xca;
    const communities = new CommunityDirectory(xca.homeCommunityId!, xca, f.identity.domains);
    const gateways = communities.peers.map((c) => new PeerGateway(c, { ...xca.initiatingGateway, spoolDir: os.tmpdir() }));
    docs = new PeerDocuments({ store: f.store, identity: f.identity, decisions: f.decisions, audit: f.audit, peers: gateways, affinityDomainOid: f.config.identity.regional.authority.oid });
    personId = await f.store.write(async (tx) => {
      const demographics = { fields: { 5: [[['PEER'], ['TARO']]] } };
      return (await f.identity.registerFeed(tx, { identifiers: [{ domain: f.identity.domains.regional, id: 'PD-1' }], regionalId: 'PD-1', token: 'token-of-pd-1', demographics })).personId;
    });
    await f.patient('PD-2');
  });
  after(async () => {
    await peer?.close();
    await f?.close();
  });
  afterEach(() => f.decisions.hiddenPatients.clear());

  it('asks no peer about a patient the requester may not see, nor one without a token', async () => {
    f.decisions.hiddenPatients.add(personId);
    expect(await docs.findDocuments(ctx, 'PD-1')).to.deep.equal([]);
    expect(await docs.findDocuments(ctx, 'PD-2')).to.deep.equal([]);
    expect(peer.hits).to.equal(0);
  });

  it('gives back a peer that fails with its errors, named, and audits the ITI-38 call naming the regional ID', async () => {
    const before = (await f.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-38' }))).length;
    const found = await docs.findDocuments(ctx, 'PD-1');
    expect(peer.hits).to.equal(1);
    expect(found).to.have.length(1);
    expect(found[0]).to.deep.include({ name: '隣の地域', homeCommunityId: 'urn:oid:1.2.3.2', documents: [], failed: true });
    expect(found[0]!.errors.map((e) => e.errorCode)).to.deep.equal(['XDSUnavailableCommunity']);
    const audits = await f.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-38' }));
    expect(audits).to.have.length(before + 1);
    expect(audits.at(-1)!.xml).to.include('PD-1').and.not.include('token-of-pd-1');
  });
});
