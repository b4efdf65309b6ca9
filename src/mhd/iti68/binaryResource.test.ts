import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect } from 'chai';
import { parseFhirXml } from '../../fhir/xml/parse.ts';
import { binaryResource } from './binaryResource.ts';

/** The Binary resource of a document delivered in the given chunk sizes. */
async function written(doc: Buffer, chunks: number[], format: 'json' | 'xml' = 'json'): Promise<{ text: string; length: number }> {
  const parts: Buffer[] = [];
  let at = 0;
  for (const n of chunks) parts.push(doc.subarray(at, (at += n)));
  if (at < doc.length) parts.push(doc.subarray(at));
  const { transform, length } = binaryResource({ id: 'abc', contentType: 'text/plain', size: doc.length }, format);
  const out: Buffer[] = [];
  transform.on('data', (c: Buffer) => out.push(c));
  await pipeline(Readable.from(parts), transform);
  return { text: Buffer.concat(out).toString('utf8'), length };
}

describe('the Binary resource of ITI-68 written as a stream', () => {
  it('writes the base64 of any document, whatever the chunking, in the length it announced', async () => {
    const doc = Buffer.from([...Array(1000).keys()].map((i) => (i * 31) & 0xff));
    for (const [size, chunks] of [[0, []], [1, [1]], [2, [1, 1]], [3, [2, 1]], [7, [1, 1, 1, 4]], [1000, [5, 333, 2, 100]]] as [number, number[]][]) {
      const d = doc.subarray(0, size);
      const { text, length } = await written(d, chunks);
      expect(Buffer.byteLength(text), `size ${size}`).to.equal(length);
      const b = JSON.parse(text) as { resourceType: string; id: string; contentType: string; data: string };
      expect([b.resourceType, b.id, b.contentType]).to.deep.equal(['Binary', 'abc', 'text/plain']);
      expect(b.data, `size ${size}`).to.equal(d.toString('base64'));
    }
  });

  it('writes the same Binary in FHIR XML, which reads back as the JSON resource', async () => {
    const doc = Buffer.from([...Array(1000).keys()].map((i) => (i * 17) & 0xff));
    for (const [size, chunks] of [[0, []], [2, [1, 1]], [7, [1, 1, 1, 4]], [1000, [5, 333, 2, 100]]] as [number, number[]][]) {
      const d = doc.subarray(0, size);
      const { text, length } = await written(d, chunks, 'xml');
      expect(Buffer.byteLength(text), `size ${size}`).to.equal(length);
      const b = parseFhirXml(text, 10) as { resourceType: string; id: string; contentType: string; data?: string };
      expect([b.resourceType, b.id, b.contentType]).to.deep.equal(['Binary', 'abc', 'text/plain']);
      expect(b.data ?? '', `size ${size}`).to.equal(d.toString('base64'));
    }
  });
});
