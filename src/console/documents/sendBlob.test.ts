import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { sendBlob } from './viewer.ts';

describe('console: a document\'s bytes are sent with stream.pipeline', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-send-blob-'));

  it('sends the file', async () => {
    const file = path.join(dir, 'a');
    fs.writeFileSync(file, 'bytes of a document');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await sendBlob(out, file);
    expect(Buffer.concat(chunks).toString()).to.equal('bytes of a document');
  });

  it('a missing file is a rejection the caller handles (no unhandled stream error), before anything is sent', async () => {
    const out = new PassThrough();
    let wrote = false;
    out.on('data', () => (wrote = true));
    const error = await sendBlob(out, path.join(dir, 'gone')).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error?.code).to.equal('ENOENT');
    expect(wrote).to.equal(false);
    expect(out.destroyed).to.equal(false); // the response is still the caller's to answer
  });
});
