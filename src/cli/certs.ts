/**
 * `hie certs`: a demo certificate authority and node certificates for ATNA node authentication (TLS
 * with client certificates on every listener). Shells out to openssl (Debian: openssl), so that the
 * keys are made by the tool a security officer would use; keys are written mode 0600.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './args.ts';

export const certsHelp = `hie certs: a demo CA and node certificates for TLS with client certificates (ATNA node authentication)

Usage:
  hie certs [--out DIR] [--days N] [--ca-name NAME] [NODE...]

Makes DIR/ca.pem and DIR/ca.key (kept and reused when they exist), and for each NODE (default:
localhost) DIR/NODE.pem and DIR/NODE.key: an RSA 2048 key and a certificate the CA signed, for both
server and client authentication, naming NODE, localhost and 127.0.0.1. Use them in the tls settings
of mllp, http and syslog (cert, key, ca) and of atna.repositories.

Options:
  --out DIR        where the files go (default ./certs)
  --days N         validity of new certificates (default 365)
  --ca-name NAME   subject CN of a new CA (default "hie demo CA")
  -h, --help       this text

For demonstrations and tests only: a production network uses its own PKI. Needs openssl.
`;

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('openssl not found: apt-get install openssl');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() ?? err.message}`);
  }
}

export async function certs(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, days: { type: 'string' }, 'ca-name': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(certsHelp);
    return 0;
  }
  const days = values.days ?? '365';
  if (!/^[1-9]\d{0,4}$/.test(days)) throw new UsageError('--days must be a number of days');
  const nodes = positionals.length ? positionals : ['localhost'];
  for (const n of nodes) if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(n)) throw new UsageError(`'${n}' is not a host name`);
  const out = path.resolve(values.out ?? 'certs');
  fs.mkdirSync(out, { recursive: true, mode: 0o700 });

  const caPem = path.join(out, 'ca.pem');
  const caKey = path.join(out, 'ca.key');
  if (!fs.existsSync(caPem) || !fs.existsSync(caKey)) {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', days, '-subj', `/CN=${values['ca-name'] ?? 'hie demo CA'}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], out);
    fs.chmodSync(caKey, 0o600);
    process.stdout.write(`CA        ${caPem}\n`);
  } else process.stdout.write(`CA        ${caPem} (kept)\n`);

  for (const node of nodes) {
    const ext = path.join(out, `${node}.ext`);
    const names = [...new Set([`DNS:${node}`, 'DNS:localhost', 'IP:127.0.0.1'])];
    fs.writeFileSync(
      ext,
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${names.join(',')}\n`,
    );
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${node}.key`, '-out', `${node}.csr`, '-subj', `/CN=${node}`], out);
    openssl(['x509', '-req', '-in', `${node}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${node}.pem`, '-days', days, '-extfile', ext], out);
    fs.chmodSync(path.join(out, `${node}.key`), 0o600);
    fs.rmSync(ext);
    fs.rmSync(path.join(out, `${node}.csr`));
    process.stdout.write(`node      ${path.join(out, `${node}.pem`)}  key ${path.join(out, `${node}.key`)}\n`);
  }
  return 0;
}
