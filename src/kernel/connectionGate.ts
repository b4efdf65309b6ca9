/**
 * Connection caps of a listener: at most so many connections at once, and so many from one address.
 * A connection over a cap is destroyed as it arrives, before any TLS handshake or byte is read. A
 * flood of them is reported once, as a burst: when the first is refused, and with a count when none
 * has been refused for a while; never once per connection.
 */
import type net from 'node:net';

export interface ConnectionCaps {
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

export interface RefusalBurst {
  /** The address of the first refused connection of the burst. */
  address: string;
  port: number;
  /** Which cap refused it. */
  cap: 'listener' | 'address';
  limit: number;
}

export interface BurstReport {
  /** The first refusal of a burst: log and audit it. */
  started(b: RefusalBurst): void;
  /** The burst is over: how many were refused, from how many addresses (some of them named). */
  ended(summary: { refused: number; addresses: number; some: string[] }): void;
}

/** Raw sockets the gate destroyed: a TLS server's hang-up error for them is no failed handshake. */
export const refusedByGate = new WeakSet<net.Socket>();

export function normalAddress(address: string | undefined): string {
  return address?.startsWith('::ffff:') ? address.slice(7) : (address ?? '');
}

export class ConnectionGate {
  private open = 0;
  private readonly perAddress = new Map<string, number>();
  private burst?: { refused: number; addresses: Set<string>; timer: NodeJS.Timeout };

  constructor(
    private readonly caps: ConnectionCaps,
    private readonly report: BurstReport,
    /** A burst ends when nothing was refused for this long. */
    private readonly quietMs = 10_000,
  ) {}

  /** Gates every connection of a server, ahead of its own connection handlers. */
  attach(server: net.Server): void {
    server.prependListener('connection', (socket: net.Socket) => this.admit(socket));
    server.on('close', () => this.endBurst());
  }

  get connections(): number {
    return this.open;
  }

  /** Counts a new connection, or destroys it when it is over a cap; true when admitted. */
  admit(socket: net.Socket): boolean {
    const address = normalAddress(socket.remoteAddress);
    const mine = this.perAddress.get(address) ?? 0;
    const cap = this.open >= this.caps.maxConnections ? 'listener' : mine >= this.caps.maxConnectionsPerAddress ? 'address' : undefined;
    if (cap) {
      refusedByGate.add(socket);
      socket.destroy();
      this.refused({ address, port: socket.remotePort ?? 0, cap, limit: cap === 'listener' ? this.caps.maxConnections : this.caps.maxConnectionsPerAddress });
      return false;
    }
    this.open++;
    this.perAddress.set(address, mine + 1);
    socket.once('close', () => {
      this.open--;
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    });
    return true;
  }

  private refused(b: RefusalBurst): void {
    if (this.burst) {
      this.burst.refused++;
      if (this.burst.addresses.size < 1000) this.burst.addresses.add(b.address);
      this.burst.timer.refresh();
      return;
    }
    const timer = setTimeout(() => this.endBurst(), this.quietMs);
    timer.unref();
    this.burst = { refused: 1, addresses: new Set([b.address]), timer };
    this.report.started(b);
  }

  private endBurst(): void {
    const b = this.burst;
    if (!b) return;
    clearTimeout(b.timer);
    this.burst = undefined;
    this.report.ended({ refused: b.refused, addresses: b.addresses.size, some: [...b.addresses].slice(0, 10) });
  }
}
