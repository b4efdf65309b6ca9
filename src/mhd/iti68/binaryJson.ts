/**
 * The Binary resource of ITI-68 for a client that accepts FHIR JSON only (FHIR R4 binary.html: the
 * content as base64 in `data`), written as a stream: the JSON around the data is fixed, the data is
 * the document base64-encoded chunk by chunk (three bytes make four characters, so up to two bytes
 * wait for the next chunk). Its length is known before the first byte: the Content-Length.
 */
import { Transform } from 'node:stream';

export function binaryJson(o: { id: string; contentType: string; size: number }): { transform: Transform; length: number } {
  const head = Buffer.from(`{"resourceType":"Binary","id":${JSON.stringify(o.id)},"contentType":${JSON.stringify(o.contentType)},"data":"`);
  const tail = Buffer.from('"}');
  let rest: Buffer = Buffer.alloc(0);
  let started = false;
  const transform = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const bytes = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      const whole = bytes.length - (bytes.length % 3);
      rest = bytes.subarray(whole);
      const data = Buffer.from(bytes.subarray(0, whole).toString('base64'));
      cb(null, started ? data : ((started = true), Buffer.concat([head, data])));
    },
    flush(cb) {
      cb(null, Buffer.concat([started ? Buffer.alloc(0) : head, Buffer.from(rest.toString('base64')), tail]));
    },
  });
  return { transform, length: head.length + 4 * Math.ceil(o.size / 3) + tail.length };
}
