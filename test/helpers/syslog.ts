/** Syslog clients for tests: RFC 5424 messages, octet-counted over TCP or TLS, or UDP datagrams. */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

export function syslogMessage(xml: string, o: { msgId?: string; hostname?: string; bom?: boolean; timestamp?: string } = {}): Buffer {
  const header = `<85>1 ${o.timestamp ?? '2024-04-01T09:30:00.000+09:00'} ${o.hostname ?? 'ehr.hosp-a.example'} EHR 4242 ${o.msgId ?? 'IHE+RFC-3881'} - `;
  return Buffer.concat([Buffer.from(header), o.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(xml, 'utf8')]);
}

export function octetCounted(...messages: Buffer[]): Buffer {
  return Buffer.concat(messages.flatMap((m) => [Buffer.from(`${m.length} `), m]));
}

export interface TlsClientFiles {
  ca: string;
  cert?: string;
  key?: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
}

/** Opens a stream to a syslog listener; with `tls`, completes the handshake first. */
export function openSyslogStream(port: number, t?: TlsClientFiles): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = t
      ? tls.connect({
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          ca: fs.readFileSync(t.ca),
          cert: t.cert ? fs.readFileSync(t.cert) : undefined,
          key: t.key ? fs.readFileSync(t.key) : undefined,
          minVersion: t.minVersion,
          maxVersion: t.maxVersion,
        })
      : net.connect({ host: '127.0.0.1', port });
    socket.once(t ? 'secureConnect' : 'connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Writes the bytes in the given pieces and ends the stream; resolves when the server has closed it too. */
export async function sendSyslogStream(port: number, pieces: Buffer[], t?: TlsClientFiles): Promise<void> {
  const socket = await openSyslogStream(port, t);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  for (const p of pieces) {
    await new Promise<void>((resolve, reject) => socket.write(p, (e) => (e ? reject(e) : resolve())));
    await new Promise((r) => setImmediate(r));
  }
  socket.end();
  await closed;
}

export async function sendSyslogDatagram(port: number, message: Buffer): Promise<void> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => s.send(message, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  s.close();
}
