/**
 * Two regions started as the README starts one (`hie serve`, no regional authority in config) each
 * hand out regional IDs under an authority of their own: the first patient of each is R0000000001,
 * and the two IDs do not collide.
 */
import { expect } from 'chai';
import { startApp, type App } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config/load.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { decodeReply, field, tempDir } from '../helpers/hieServer.ts';
import { adt, HOSP_A, pixQuery } from '../helpers/messages.ts';

async function regionalIdOf(app: App, localId: string): Promise<string> {
  const c = await MllpClient.connect({ host: '127.0.0.1', port: app.ports.mllp! });
  try {
    expect(field(decodeReply(await c.send(Buffer.from(adt({ ids: [`${localId}^^^${HOSP_A}`] })))), 'MSA', 1)).to.equal('AA');
    const rsp = decodeReply(await c.send(Buffer.from(pixQuery({ key: `${localId}^^^${HOSP_A}` }))));
    const ids = field(rsp, 'PID', 3).split('~');
    return ids.find((i) => i.startsWith('R'))!;
  } finally {
    await c.close();
  }
}

describe('two regions started from the README', function () {
  this.timeout(60_000);
  const apps: App[] = [];
  after(async () => {
    for (const a of apps) await a.stop();
  });

  it('each hand out R0000000001 under a regional authority of their own', async () => {
    const ids: string[] = [];
    for (const dataDir of [tempDir(), tempDir()]) {
      const config = loadConfig({ env: {}, flags: { dataDir, 'mllp.port': 0, 'http.port': 0, 'identity.token.issuerKey': 'test-issuer-key-0123456789abcdef' }, ownRegionalAuthority: true });
      const app = await startApp(config, silentLogger);
      apps.push(app);
      ids.push(await regionalIdOf(app, 'REG-1'));
    }
    const [a, b] = ids.map((cx) => /^(R\d{10})\^\^\^REGION&([0-9.]+)&ISO$/.exec(cx));
    expect(a, ids[0]).to.not.equal(null);
    expect(b, ids[1]).to.not.equal(null);
    expect(a![1]).to.equal('R0000000001');
    expect(b![1]).to.equal('R0000000001');
    expect(a![2]).to.not.equal(b![2]);
  });
});
