/** A throwaway CA, server and client certificates made with openssl, for TLS tests. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './hieServer.ts';

export interface TestCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate from a CA the server does not trust. */
  strangerCert: string;
  strangerKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function ca(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`]);
}

function leaf(dir: string, name: string, caName: string): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

export function makeCerts(): TestCerts {
  const dir = tempDir('hie-certs-');
  const write = (file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);
  ca(dir, 'test-ca');
  ca(dir, 'stranger-ca');
  write('server.ext', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  write('client.ext', 'extendedKeyUsage=clientAuth\n');
  write('stranger.ext', 'extendedKeyUsage=clientAuth\n');
  leaf(dir, 'server', 'test-ca');
  leaf(dir, 'client', 'test-ca');
  leaf(dir, 'stranger', 'stranger-ca');
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    ca: p('test-ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
    strangerCert: p('stranger.pem'),
    strangerKey: p('stranger.key'),
  };
}

/**
 * A CRL of the CA in `dir` (ca.pem, ca.key, as `hie certs` makes them) revoking the given
 * certificates, made by `openssl ca -revoke` and `openssl ca -gencrl` with a minimal CA config.
 * Returns the path of the PEM CRL.
 */
export function revoke(dir: string, certificates: string[], ca = { cert: 'ca.pem', key: 'ca.key' }): string {
  const work = tempDir('hie-crl-');
  const write = (file: string, text: string) => fs.writeFileSync(path.join(work, file), text);
  write('index.txt', '');
  write('crlnumber', '01\n');
  write(
    'ca.cnf',
    [
      '[ca]',
      'default_ca = crl_ca',
      '[crl_ca]',
      'database = index.txt',
      'crlnumber = crlnumber',
      `certificate = ${path.resolve(dir, ca.cert)}`,
      `private_key = ${path.resolve(dir, ca.key)}`,
      'default_md = sha256',
      'default_crl_days = 2',
      '',
    ].join('\n'),
  );
  for (const c of certificates) openssl(work, ['ca', '-config', 'ca.cnf', '-revoke', path.resolve(dir, c)]);
  openssl(work, ['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem']);
  return path.join(work, 'crl.pem');
}
