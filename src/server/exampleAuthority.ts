import { isLoopback } from '../consent/nodeDirectory.ts';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';

/** OIDs under 2.999 are for examples (ITU-T X.660 A.3): never a region's own on a network. */
const EXAMPLE_ARC = '2.999.';

/**
 * A server reachable from the network whose regional authority is an example OID (the default, or
 * one made for the data folder) may hand out the same regional IDs as another region: warned at
 * start, naming the key to set.
 */
export function checkRegionalAuthority(config: Config, log: Logger): void {
  const oid = config.identity.regional.authority.oid;
  if (!oid.startsWith(EXAMPLE_ARC)) return;
  const hosts = new Set<string>();
  if (config.mllp.enabled) hosts.add(config.mllp.host);
  if (config.http.enabled) hosts.add(config.http.host);
  if (config.syslog.tls || config.syslog.tcp || config.syslog.udp) hosts.add(config.syslog.host);
  const network = [...hosts].filter((h) => !isLoopback(h));
  if (network.length === 0) return;
  log.warn('identity.example-regional-authority', {
    oid,
    hosts: network.join(', '),
    note: 'the regional authority is an example OID (2.999): set identity.regional.authority to the OID of this region',
  });
}
