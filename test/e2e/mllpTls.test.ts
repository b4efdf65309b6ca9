import fs from 'node:fs';
import { expect } from 'chai';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';
import { decodeReply, field, startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A } from '../helpers/messages.ts';

describe('MLLP over TLS with client certificates (node authentication)', function () {
  this.timeout(60_000);
  let certs: TestCerts;
  let s: TestServer;
  before(async () => {
    certs = makeCerts();
    s = await startTestServer({ mllp: { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true } } });
  });
  after(async () => {
    await s.stop();
  });

  const connect = (cert?: string, key?: string) =>
    MllpClient.connect({
      host: '127.0.0.1',
      port: s.mllpPort,
      tls: { ca: fs.readFileSync(certs.ca), cert: cert && fs.readFileSync(cert), key: key && fs.readFileSync(key), servername: 'localhost' },
    });

  it('serves a client whose certificate the configured CA signed', async () => {
    const c = await connect(certs.clientCert, certs.clientKey);
    const r = decodeReply(await c.send(Buffer.from(adt({ ids: [`TLS1^^^${HOSP_A}`] }))));
    expect(field(r, 'MSA', 1)).to.equal('AA');
    await c.close();
  });

  it('lets in nobody without a certificate, or with one from another CA', async () => {
    for (const [cert, key] of [[undefined, undefined], [certs.strangerCert, certs.strangerKey]]) {
      const outcome = await connect(cert, key)
        .then(async (c) => {
          // TLS 1.3 reports the refusal after the handshake: the first exchange fails.
          await c.send(Buffer.from(adt({ ids: [`TLS2^^^${HOSP_A}`] })));
          return 'served';
        })
        .catch(() => 'refused');
      expect(outcome, cert ?? 'no certificate').to.equal('refused');
    }
    const stored = await s.app.store.read((tx) => tx.identity.searchRecords({ keys: [{ kind: 'family', key: 'YAMADA', prefix: false }] }, 10).then((p) => p.matches));
    expect(stored).to.have.length(1);
  });

  it('refuses a plain TCP client', async () => {
    const c = await MllpClient.connect({ host: '127.0.0.1', port: s.mllpPort, replyTimeoutMs: 3000 });
    const outcome = await c.send(Buffer.from(adt({ ids: [`TLS3^^^${HOSP_A}`] }))).then(() => 'served', () => 'refused');
    expect(outcome).to.equal('refused');
  });
});
