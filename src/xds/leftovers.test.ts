import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer, tempDir } from '../../test/helpers/hieServer.ts';
import { validate } from '../server/config/load.ts';
import { removeXdsLeftovers } from './assemble.ts';

const HASH = 'a'.repeat(40);

/** A data folder with what a crash mid-write leaves: a spooled part, a blob's temporary file; and what must stay. */
function crashedDataDir() {
  const dataDir = tempDir();
  const spool = path.join(dataDir, 'spool');
  const folder = path.join(dataDir, 'blobs', 'aa');
  fs.mkdirSync(spool, { recursive: true });
  fs.mkdirSync(folder, { recursive: true });
  const old = new Date(Date.now() - 60_000);
  const write = (file: string, when = old) => {
    fs.writeFileSync(file, 'x');
    fs.utimesSync(file, when, when);
    return file;
  };
  return {
    dataDir,
    leftovers: [write(path.join(spool, 'part-0b6f.tmp')), write(path.join(folder, `.${HASH}.1234.tmp`))],
    kept: [write(path.join(folder, HASH)), write(path.join(spool, 'notes.txt'))],
    /** Written after the sweep began: a write of the running server, not a leftover. */
    fresh: write(path.join(folder, `.${HASH}.5678.tmp`), new Date(Date.now() + 60_000)),
  };
}

describe('temporary files left by a crash', () => {
  it('removes spooled parts and half-written blobs older than the sweep, and nothing else', async () => {
    const d = crashedDataDir();
    expect(await removeXdsLeftovers(validate({ dataDir: d.dataDir }))).to.equal(2);
    for (const f of d.leftovers) expect(fs.existsSync(f), f).to.equal(false);
    for (const f of [...d.kept, d.fresh]) expect(fs.existsSync(f), f).to.equal(true);
  });

  it('are gone once the server has started', async () => {
    const d = crashedDataDir();
    const server = await startTestServer({}, d.dataDir);
    try {
      const deadline = Date.now() + 10_000;
      while (d.leftovers.some((f) => fs.existsSync(f)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const f of d.leftovers) expect(fs.existsSync(f), f).to.equal(false);
      for (const f of d.kept) expect(fs.existsSync(f), f).to.equal(true);
    } finally {
      await server.stop();
    }
  });
});
