/**
 * A region of nodes over real TLS for authorization tests: certificates made by the real `hie certs`
 * command, the server's `nodes` config naming each node by its certificate subject, and an HTTPS
 * client that presents a node's certificate.
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { expect } from 'chai';
import { hie } from './hieCommand.ts';
import { tempDir } from './hieServer.ts';

export const HOSP_A_OID = '1.2.392.999.1';
export const HOSP_B_OID = '1.2.392.999.2';

export interface NodeFiles {
  cert: string;
  key: string;
}

export interface RegionCerts {
  ca: string;
  server: NodeFiles;
  node(name: string): NodeFiles;
}

/** A CA, the server's certificate (localhost) and one certificate per node, by `hie certs`. */
export async function regionCerts(nodes: string[]): Promise<RegionCerts> {
  const out = tempDir('hie-region-certs-');
  const r = await hie(['certs', '--out', out, 'localhost', ...nodes]);
  expect(r.code, r.stderr).to.equal(0);
  const files = (name: string): NodeFiles => ({ cert: path.join(out, `${name}.pem`), key: path.join(out, `${name}.key`) });
  return { ca: path.join(out, 'ca.pem'), server: files('localhost'), node: files };
}

/** The facilities and nodes of the tests: hosp-a and hosp-b (source, consumer) and an auditor. */
export function regionConfig(certs: RegionCerts) {
  const tls = { cert: certs.server.cert, key: certs.server.key, ca: certs.ca, requireClientCert: true };
  return {
    tls,
    domains: [
      { namespace: 'HOSP_A', oid: HOSP_A_OID },
      { namespace: 'HOSP_B', oid: HOSP_B_OID },
    ],
    nodes: [
      { name: 'hosp-a', subject: 'CN=hosp-a', facility: 'HOSP_A', roles: ['source', 'consumer'], auditSourceIds: ['EHR_A'] },
      { name: 'hosp-b', subject: 'CN=hosp-b', facility: 'HOSP_B', roles: ['source', 'consumer'], auditSourceIds: ['EHR_B'] },
      { name: 'auditor-node', subject: 'CN=auditor-node', roles: ['auditor'] },
    ],
  };
}

export interface HttpsAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** One HTTPS request to the server on 127.0.0.1, presenting `as` (a node's certificate). */
export function httpsRequest(
  port: number,
  urlPath: string,
  as: NodeFiles & { ca: string },
  o: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: o.method ?? 'GET',
        headers: o.headers,
        ca: fs.readFileSync(as.ca),
        cert: fs.readFileSync(as.cert),
        key: fs.readFileSync(as.key),
        servername: 'localhost',
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}
