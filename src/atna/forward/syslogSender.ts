/**
 * Sends this server's audit messages to the external Audit Record Repositories (ITI-20 as Secure
 * Node): RFC 5425 syslog over TLS with this node's certificate (or plain TCP, or RFC 5426 UDP), one
 * connection per repository kept open and reopened after any error. Used by the outbox dispatcher,
 * which keeps each message in the store until `send` resolves and retries with backoff.
 *
 * Syslog has no acknowledgement: a message counts as sent once the kernel took it. A repository that
 * dies between that and reading it loses what was in flight; one that is down or unreachable loses
 * nothing (the connection fails, the message stays queued).
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { AuditRepositoryConfig } from '../../kernel/config.ts';
import type { OutboxMessage } from '../../store/types.ts';

const CONNECT_TIMEOUT_MS = 10_000;
/**
 * In TLS 1.3 the client finishes its handshake before the server has checked the client certificate:
 * a refusal arrives just after. A new connection waits this long for one before carrying messages.
 */
const REFUSAL_GRACE_MS = 200;

interface Connection {
  socket: net.Socket;
  alive: boolean;
}

export class SyslogSender {
  private readonly connections = new Map<string, Connection>();
  private readonly repositories: Map<string, AuditRepositoryConfig>;
  private udp?: dgram.Socket;

  constructor(repositories: readonly AuditRepositoryConfig[]) {
    this.repositories = new Map(repositories.map((r) => [r.name, r]));
  }

  readonly send = async (m: OutboxMessage): Promise<void> => {
    const repo = this.repositories.get(m.destination);
    if (!repo) throw new Error(`no audit repository named ${m.destination} in config`);
    if (repo.transport === 'udp') return this.sendDatagram(repo, m.payload);
    const c = await this.connection(repo);
    const frame = Buffer.concat([Buffer.from(`${m.payload.length} `, 'latin1'), m.payload]);
    await new Promise<void>((resolve, reject) => {
      c.socket.write(frame, (err) => (err ? reject(err) : resolve()));
    });
    if (!c.alive) throw new Error(`connection to ${repo.name} closed`);
  };

  async close(): Promise<void> {
    for (const c of this.connections.values()) c.socket.destroy();
    this.connections.clear();
    this.udp?.close();
    this.udp = undefined;
  }

  private async connection(repo: AuditRepositoryConfig): Promise<Connection> {
    const open = this.connections.get(repo.name);
    if (open?.alive) return open;
    const socket = await connect(repo);
    const c: Connection = { socket, alive: true };
    const dead = () => {
      c.alive = false;
      if (this.connections.get(repo.name) === c) this.connections.delete(repo.name);
      socket.destroy();
    };
    socket.on('error', dead);
    socket.on('close', dead);
    socket.on('end', dead);
    // A repository never speaks on this connection; anything it sends is ignored.
    socket.on('data', () => undefined);
    this.connections.set(repo.name, c);
    return c;
  }

  private async sendDatagram(repo: AuditRepositoryConfig, payload: Buffer): Promise<void> {
    this.udp ??= dgram.createSocket(repo.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => this.udp!.send(payload, repo.port, repo.host, (err) => (err ? reject(err) : resolve())));
  }
}

function connect(repo: AuditRepositoryConfig): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const t = repo.tls;
    const socket =
      repo.transport === 'tls'
        ? tls.connect({
            host: repo.host,
            port: repo.port,
            servername: t?.servername ?? (net.isIP(repo.host) ? undefined : repo.host),
            ca: t?.ca ? fs.readFileSync(t.ca) : undefined,
            cert: t?.cert ? fs.readFileSync(t.cert) : undefined,
            key: t?.key ? fs.readFileSync(t.key) : undefined,
            minVersion: 'TLSv1.2',
          })
        : net.connect({ host: repo.host, port: repo.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connecting to ${repo.name} timed out`));
    }, CONNECT_TIMEOUT_MS);
    socket.once(repo.transport === 'tls' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      const ready = () => {
        socket.removeListener('error', fail);
        socket.removeListener('close', closed);
        resolve(socket);
      };
      if (repo.transport === 'tls' && (socket as tls.TLSSocket).getProtocol() === 'TLSv1.3') setTimeout(ready, REFUSAL_GRACE_MS);
      else ready();
    });
    const closed = () => fail(new Error(`${repo.name} closed the connection`));
    socket.once('close', closed);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
  });
}
