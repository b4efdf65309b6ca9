/**
 * `hie demo-regions` (npm run demo:regions) as the README walks through it: three regions started
 * from one generated population; from region B, the documents region A holds for a patient who moved
 * are found and retrieved through B's Initiating Gateway; a class withheld in A's consent vanishes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startDemoRegions, type DemoRegions } from '../../src/cli/demoRegions.ts';
import { emptyTerms } from '../../src/consent/model.ts';
import { exchangeSoap } from '../../src/soap/client.ts';
import { tempDir } from '../helpers/hieServer.ts';
import { ACTIONS, expectSchemaValid } from '../helpers/xds.ts';
import { findDocuments } from '../helpers/xdsQuery.ts';
import { documentsOf, objectsOf, xopInfoset } from '../helpers/xca.ts';

describe('npm run demo:regions: three regions from one SS-MIX2 population (e2e)', function () {
  this.timeout(300_000);
  let d: DemoRegions;
  const envelopes: string[] = [];

  before(async () => {
    // The demo binds fixed ports (each region's peer URLs name them), so they are taken below the
    // kernel's ephemeral range (32768-60999 by default), where no other test's socket can land,
    // and another base is tried if a port is still in use.
    for (let attempt = 0; ; attempt++) {
      const basePort = 20000 + ((process.pid + attempt * 397) % 1200) * 10;
      try {
        d = await startDemoRegions({ out: path.join(tempDir('hie-demo-regions-'), 'regions'), patients: 24, seed: 7, basePort });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 4) throw e;
      }
    }
  });
  after(async () => {
    await d?.stop();
    if (envelopes.length) expectSchemaValid(envelopes);
  });

  const asEhrB = (action: string, bodyXml: string) => {
    const b = d.regions[1];
    const f = (n: string) => fs.readFileSync(path.join(d.certs, n));
    return exchangeSoap({ url: `https://127.0.0.1:${b.httpPort}/services/xca/initiating`, action, bodyXml, tls: { ca: f('ca.pem'), cert: f('ehr-b.pem'), key: f('ehr-b.key') }, timeoutMs: 30_000, maxResponseBytes: 1 << 28, spoolDir: os.tmpdir() });
  };

  it('finds, from B, the documents A holds for a patient who moved, retrieves them, and hides a class A withholds', async () => {
    const [a, b] = d.regions;
    const moved = d.moved.find((m) => m.ids.a && m.ids.b);
    expect(moved, 'a patient treated in A and B').to.not.equal(undefined);
    const pid = `${moved!.ids.b}^^^&${b.regional.oid}&ISO`;
    const q = await asEhrB(ACTIONS.iti18, findDocuments(pid));
    envelopes.push(q.envelopeXml);
    const list = q.body.children.find((c) => c.local === 'RegistryObjectList')!.children;
    const fromA = list.filter((o) => o.attrs.home === a.homeCommunityId);
    expect(fromA.length, q.envelopeXml.slice(0, 1500)).to.be.greaterThan(0);
    expect(objectsOf(q).filter((o) => o.home === b.homeCommunityId).length).to.be.greaterThan(0);
    const uid = (eo: (typeof list)[number]) => eo.children.find((c) => c.local === 'ExternalIdentifier' && c.attrs.identificationScheme === 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab')!.attrs.value;
    const repo = (eo: (typeof list)[number]) => eo.children.find((c) => c.local === 'Slot' && c.attrs.name === 'repositoryUniqueId')!.children[0].children[0].text;
    const r = await asEhrB(
      ACTIONS.iti43,
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007"><xdsb:DocumentRequest><xdsb:HomeCommunityId>${a.homeCommunityId}</xdsb:HomeCommunityId><xdsb:RepositoryUniqueId>${repo(fromA[0])}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${uid(fromA[0])}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`,
    );
    envelopes.push(xopInfoset(r));
    expect(documentsOf(r).map((x) => x.home)).to.deep.equal([a.homeCommunityId]);
    expect(documentsOf(r)[0].bytes.length).to.be.greaterThan(0);
    // The class of that document withheld in A's consent: it vanishes from B's answer.
    const cls = fromA[0].children.find((c) => c.local === 'Classification' && c.attrs.classificationScheme === 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a')!;
    const code = { code: cls.attrs.nodeRepresentation, codingScheme: cls.children.find((c) => c.local === 'Slot' && c.attrs.name === 'codingScheme')!.children[0].children[0].text };
    await a.app!.store.write(async (tx) => {
      const p = (await tx.identity.personByRegionalId(moved!.ids.a!))!;
      await a.app!.consent.set(tx, p.id, { ...emptyTerms(), participation: 'opted-in', peerRegions: [b.homeCommunityId], withheld: { ...emptyTerms().withheld, classCodes: [code] } }, { who: 'test', source: { kind: 'desk' } });
    });
    const again = await asEhrB(ACTIONS.iti18, findDocuments(pid));
    envelopes.push(again.envelopeXml);
    const stillFromA = again.body.children.find((c) => c.local === 'RegistryObjectList')!.children.filter((o) => o.attrs.home === a.homeCommunityId);
    expect(stillFromA.map(uid)).to.not.include(uid(fromA[0]));
    expect(stillFromA.length).to.be.lessThan(fromA.length);
  });
});
