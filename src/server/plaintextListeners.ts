import { isLoopback } from '../consent/nodeDirectory.ts';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';

/**
 * A listener without TLS on a non-loopback address lets anyone on the network talk to it as a node
 * named by its address only: refused unless config says so (access.allowPlaintextNetwork), then warned.
 */
export function checkPlaintextListeners(config: Config, log: Logger): void {
  const plain: string[] = [];
  if (config.mllp.enabled && !config.mllp.tls && !isLoopback(config.mllp.host)) plain.push(`mllp ${config.mllp.host}`);
  if (config.http.enabled && !config.http.tls && !isLoopback(config.http.host)) plain.push(`http ${config.http.host}`);
  if ((config.syslog.tcp || config.syslog.udp) && !isLoopback(config.syslog.host)) plain.push(`syslog ${config.syslog.host}`);
  if (plain.length === 0) return;
  if (!config.access.allowPlaintextNetwork) {
    throw new Error(`listeners without TLS on a network address (${plain.join(', ')}): configure TLS, bind 127.0.0.1, or set access.allowPlaintextNetwork`);
  }
  log.warn('access.plaintext-network', { listeners: plain.join(', '), note: 'peers on these listeners are known by address only' });
}
