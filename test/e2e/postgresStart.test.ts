/** `hie serve` with store.engine postgres and no database to reach: a clear error and a non-zero exit, nothing served. */
import net from 'node:net';
import { expect } from 'chai';
import { hie } from '../helpers/hieCommand.ts';
import { tempDir } from '../helpers/hieServer.ts';

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('hie serve with PostgreSQL down at start', function () {
  this.timeout(60_000);

  it('exits non-zero, saying which database it could not reach, without its password', async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await hie(['serve', '--data-dir', tempDir(), '--mllp-port', '0', '--http-port', '0', '--log-level', 'warn'], '', {
      HIE__STORE__ENGINE: 'postgres',
      HIE__STORE__POSTGRES__URL: `postgres://hie:s3cret@127.0.0.1:${port}/hie`,
    });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(new RegExp(`^hie: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/hie: .*ECONNREFUSED`, 'm'));
    expect(r.stderr + r.stdout).not.to.include('s3cret');
    expect(r.stdout).not.to.include('hie serving');
    expect(Date.now() - started, 'it does not hang on').to.be.below(30_000);
  });
});
