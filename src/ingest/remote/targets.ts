/**
 * Where the adapter publishes (`hie ingest ssmix2 --to`): `mllp://HOST:PORT` (or `mllps://` for MLLP
 * over TLS, ITI TF-2x Appendix C and ATNA node authentication) for ITI-8 and ITI-9, and
 * `http(s)://HOST:PORT` for the XDS endpoints, comma-separated. The HTTP URL's path, when it has
 * one, is the repository's (ITI-41); otherwise the repository and registry paths are those of the
 * config (xds.repository.path, xds.registry.path), as on the HIE itself.
 */
import type { Config } from '../../kernel/config.ts';
import type { RemoteTargets } from './remoteSharing.ts';

export class TargetError extends Error {}

export function parseRemoteTargets(spec: string, config: Pick<Config, 'xds'>): RemoteTargets {
  let mllp: RemoteTargets['mllp'] | undefined;
  let http: URL | undefined;
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      throw new TargetError(`--to: '${part}' is not a URL (mllp[s]://HOST:PORT or http[s]://HOST:PORT)`);
    }
    if (url.protocol === 'mllp:' || url.protocol === 'mllps:') {
      const port = Number(url.port);
      if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535) throw new TargetError(`--to: ${part} needs a host and a port`);
      mllp = { host: url.hostname.replace(/^\[|\]$/g, ''), port, tls: url.protocol === 'mllps:' };
    } else if (url.protocol === 'http:' || url.protocol === 'https:') {
      http = url;
    } else throw new TargetError(`--to: ${url.protocol} is neither mllp(s): nor http(s):`);
  }
  if (!mllp || !http) throw new TargetError('--to needs both mllp[s]://HOST:PORT (ITI-8, ITI-9) and http[s]://HOST:PORT (ITI-41, ITI-57)');
  const hasPath = http.pathname !== '/' && http.pathname !== '';
  return {
    mllp,
    repositoryUrl: hasPath ? http.href : new URL(config.xds.repository.path, http).href,
    registryUrl: new URL(config.xds.registry.path, http).href,
  };
}
