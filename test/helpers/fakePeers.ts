/**
 * Peer Responding Gateways that misbehave, for the Initiating Gateway's tests: one that is down (a
 * port nobody listens on), one that hangs, one that answers garbage (not XML), a SOAP Fault, a
 * schema-invalid body, an oversized body. Each is a plain HTTP server on loopback.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Misbehaviour = 'down' | 'hang' | 'garbage' | 'fault' | 'invalid' | 'oversized';

export interface FakePeer {
  kind: Misbehaviour;
  url: string;
  /** Requests received. */
  hits: number;
  close(): Promise<void>;
}

const FAULT =
  '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>' +
  '<env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="en">the community is closed for maintenance</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>';
const INVALID =
  '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>' +
  '<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" status="urn:example:Maybe"><rim:RegistryObjectList xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><rim:Bogus/></rim:RegistryObjectList></query:AdhocQueryResponse>' +
  '</env:Body></env:Envelope>';

export async function fakePeer(kind: Misbehaviour, oversizedBytes = 8 * 1024 * 1024): Promise<FakePeer> {
  const server = http.createServer((req, res) => {
    peer.hits++;
    req.resume();
    req.on('end', () => {
      switch (kind) {
        case 'hang':
          return; // never answers
        case 'garbage':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('hello, this is not SOAP');
          return;
        case 'fault':
          res.writeHead(500, { 'content-type': 'application/soap+xml; charset=UTF-8' }).end(FAULT);
          return;
        case 'invalid':
          res.writeHead(200, { 'content-type': 'application/soap+xml; charset=UTF-8' }).end(INVALID);
          return;
        case 'oversized': {
          res.writeHead(200, { 'content-type': 'application/soap+xml; charset=UTF-8' });
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          let sent = 0;
          const pump = () => {
            while (sent < oversizedBytes) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          res.on('error', () => undefined);
          pump();
          return;
        }
        default:
          res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const peer: FakePeer = {
    kind,
    url: `http://127.0.0.1:${port}/services/xca/responding`,
    hits: 0,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  if (kind === 'down') await peer.close();
  return peer;
}
