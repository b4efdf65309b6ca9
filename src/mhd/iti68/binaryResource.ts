/**
 * The Binary resource of ITI-68 for a client that asks for a FHIR type (FHIR R4 binary.html: the
 * content as base64 in `data`), in FHIR JSON or FHIR XML (xml.html: id, contentType, data in that
 * order, each a `value` attribute), written as a stream: what surrounds the data is fixed, the data is
 * the document base64-encoded chunk by chunk (three bytes make four characters, so up to two bytes
 * wait for the next chunk). Its length is known before the first byte: the Content-Length.
 */
import { Transform } from 'node:stream';
import type { FhirFormat } from '../../fhir/format.ts';
import { escapeAttr } from '../../xml/write.ts';

export function binaryResource(o: { id: string; contentType: string; size: number }, format: FhirFormat): { transform: Transform; length: number } {
  const [head, tail] = (
    format === 'xml'
      ? [`<?xml version="1.0" encoding="UTF-8"?><Binary xmlns="http://hl7.org/fhir"><id value="${escapeAttr(o.id)}"/><contentType value="${escapeAttr(o.contentType)}"/><data value="`, '"/></Binary>']
      : [`{"resourceType":"Binary","id":${JSON.stringify(o.id)},"contentType":${JSON.stringify(o.contentType)},"data":"`, '"}']
  ).map((t) => Buffer.from(t));
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
