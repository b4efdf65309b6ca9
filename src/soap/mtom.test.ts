import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { parseMediaType } from './contentType.ts';
import { SoapFault } from './fault.ts';
import { buildMtomPackage, readMultipart } from './mtom.ts';

const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-mtom-'));
const limits = { maxBytes: 10_000_000, spoolThreshold: 1000, spoolDir };
/** The body cut into chunks of `size` bytes, so that delimiters straddle chunk boundaries. */
const chunked = (b: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

describe('MTOM/XOP packages', () => {
  const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
  binary.write('\r\n--B\r\n', 100, 'latin1'); // delimiter-like bytes that are not a delimiter

  for (const eol of ['\r\n', '\n']) {
    for (const size of [1, 7, 64, 100_000]) {
      it(`reads parts binary-safe with ${eol === '\n' ? 'LF' : 'CRLF'} lines in chunks of ${size}`, async () => {
        const body = Buffer.concat([
          Buffer.from(`preamble${eol}--MIMEBoundary_x${eol}Content-Type: application/xop+xml; type="application/soap+xml"${eol}Content-ID: <root@x>${eol}${eol}<env/>${eol}--MIMEBoundary_x${eol}Content-ID: <doc@x>${eol}${eol}`),
          binary,
          Buffer.from(`${eol}--MIMEBoundary_x--${eol}`),
        ]);
        const parts = await readMultipart(chunked(body, size), 'MIMEBoundary_x', limits);
        expect(parts.map((p) => p.contentId)).to.deep.equal(['root@x', 'doc@x']);
        expect(parts[0].data!.toString()).to.equal('<env/>');
        expect(parts[1].size).to.equal(binary.length);
        expect(parts[1].sha1).to.equal(sha1(binary));
        expect(parts[1].data, 'spooled above the threshold').to.equal(undefined);
        expect(fs.readFileSync(parts[1].file!).equals(binary)).to.equal(true);
        fs.rmSync(parts[1].file!);
      });
    }
  }

  it('keeps a part in memory as the pieces it arrived in, whatever the chunk boundaries', async () => {
    const big = { ...limits, spoolThreshold: 1 << 20 };
    for (const eol of ['\r\n', '\n']) {
      const body = Buffer.concat([
        Buffer.from(`--MIMEBoundary_x${eol}Content-ID: <root@x>${eol}${eol}<env/>${eol}--MIMEBoundary_x${eol}Content-ID: <doc@x>${eol}${eol}`),
        binary,
        Buffer.from(`${eol}--MIMEBoundary_x${eol}Content-ID: <two@x>${eol}${eol}`),
        binary.subarray(0, 300),
        Buffer.from(`${eol}--MIMEBoundary_x--${eol}`),
      ]);
      for (const size of [...Array.from({ length: 40 }, (_, i) => i + 1), 63, 64, 65, 100, 997, 4096, 100_000]) {
        const chunks = Array.from({ length: Math.ceil(body.length / size) }, (_, i) => Buffer.from(body.subarray(i * size, (i + 1) * size)));
        const parts = await readMultipart(Readable.from(chunks), 'MIMEBoundary_x', big);
        const why = `${JSON.stringify(eol)}, chunks of ${size}`;
        expect(parts.map((p) => p.contentId), why).to.deep.equal(['root@x', 'doc@x', 'two@x']);
        expect(parts[0].data!.toString(), why).to.equal('<env/>');
        expect(Buffer.concat(parts[1].pieces!).equals(binary), why).to.equal(true);
        expect(parts[1].data!.equals(binary), why).to.equal(true);
        expect(parts[2].data!.equals(binary.subarray(0, 300)), why).to.equal(true);
      }
    }
  });

  it('takes the chunks of a large part by reference, not copied into new buffers', async () => {
    const doc = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 31) % 251));
    const body = Buffer.concat([Buffer.from('--B\r\nContent-ID: <root@x>\r\n\r\n<env/>\r\n--B\r\nContent-ID: <doc@x>\r\n\r\n'), doc, Buffer.from('\r\n--B--\r\n')]);
    for (const size of [4096, 65536]) {
      // Chunks of their own memory (not from Buffer's small-allocation pool), as a socket delivers them.
      const chunks = Array.from({ length: Math.ceil(body.length / size) }, (_, i) => Buffer.from(body.subarray(i * size, (i + 1) * size)));
      const [, part] = await readMultipart(Readable.from(chunks), 'B', { ...limits, spoolThreshold: 1 << 20 });
      expect(part.data!.equals(doc)).to.equal(true);
      const inputs = new Set(chunks.map((c) => c.buffer));
      const copied = part.pieces!.filter((p) => !inputs.has(p.buffer as ArrayBuffer));
      expect(copied.length, `chunks of ${size}: ${copied.length} of ${part.pieces!.length} pieces copied`).to.be.at.most(1);
    }
  });

  it('refuses a package above the limit and leaves no spool file', async () => {
    const before = fs.readdirSync(spoolDir).length;
    const body = Buffer.concat([Buffer.from('--b\r\nContent-ID: <a>\r\n\r\n'), Buffer.alloc(50_000, 1), Buffer.from('\r\n--b--\r\n')]);
    const err = await readMultipart(chunked(body, 1000), 'b', { ...limits, maxBytes: 20_000 }).catch((e) => e);
    expect(err).to.be.instanceOf(SoapFault);
    expect(err.reason).to.match(/exceeds the limit/);
    expect(fs.readdirSync(spoolDir).length).to.equal(before);
  });

  it('keeps parts in memory up to the request budget, and spools every part after, however small', async () => {
    const small = (i: number) => Buffer.alloc(600, i);
    const body = Buffer.concat([
      ...Array.from({ length: 10 }, (_, i) => Buffer.concat([Buffer.from(`--b\r\nContent-ID: <p${i}>\r\n\r\n`), small(i), Buffer.from('\r\n')])),
      Buffer.from('--b--\r\n'),
    ]);
    // Each part costs 600 bytes and its headers (about 530 with the overhead): three fit in 4000.
    const parts = await readMultipart(chunked(body, 97), 'b', { ...limits, memoryBudget: 4000 });
    expect(parts.map((p) => p.contentId)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `p${i}`));
    expect(parts.map((p) => (p.data ? 'memory' : 'file'))).to.deep.equal(['memory', 'memory', 'memory', ...Array(7).fill('file')]);
    for (const [i, p] of parts.entries()) {
      expect(p.data ?? fs.readFileSync(p.file!)).to.deep.equal(small(i));
      if (p.file) expect(p.sha1).to.equal(sha1(small(i)));
    }
    for (const p of parts) if (p.file) fs.rmSync(p.file);
  });

  it('refuses a package of more parts than the limit, leaving no spool file', async () => {
    const before = fs.readdirSync(spoolDir).length;
    const body = Buffer.concat([...Array.from({ length: 6 }, (_, i) => Buffer.from(`--b\r\nContent-ID: <p${i}>\r\n\r\n${'x'.repeat(2000)}\r\n`)), Buffer.from('--b--\r\n')]);
    const err = await readMultipart(chunked(body, 500), 'b', { ...limits, maxParts: 5 }).catch((e) => e);
    expect(err).to.be.instanceOf(SoapFault);
    expect(err.reason).to.match(/more than 5 parts/);
    expect(fs.readdirSync(spoolDir).length).to.equal(before);
  });

  it('refuses a truncated package', async () => {
    const err = await readMultipart(Readable.from([Buffer.from('--b\r\nContent-ID: <a>\r\n\r\nabc')]), 'b', limits).catch((e) => e);
    expect(err).to.be.instanceOf(SoapFault);
  });

  it('writes a package it can read back', async () => {
    const pkg = buildMtomPackage('<env/>', 'urn:a', [{ contentId: 'd1@hie', contentType: 'application/pdf', data: binary }]);
    const ct = parseMediaType(pkg.contentType);
    expect(ct.type).to.equal('multipart/related');
    expect(ct.params.type).to.equal('application/xop+xml');
    const parts = await readMultipart(Readable.from(pkg.pieces as Buffer[]), ct.params.boundary, { ...limits, spoolThreshold: 1e9 });
    expect(parts[0].contentId).to.equal(ct.params.start.replace(/[<>]/g, ''));
    expect(parts[1].data!.equals(binary)).to.equal(true);
  });
});
