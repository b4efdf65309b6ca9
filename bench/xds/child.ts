/** A `hie serve` child process for the benchmark: the server on its own core, the load generator in this process. */
import fs from 'node:fs';
import path from 'node:path';
import { spawnServer } from '../../test/helpers/childServer.ts';
import { REGIONAL_AUTHORITY } from './corpus.ts';

export interface ChildServer {
  httpPort: number;
  mllpPort: number;
  /** CPU time (user + system) the server process has used so far, in ms (Linux /proc; NaN elsewhere). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

export function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return NaN;
  }
}

/** XDS_BENCH_PROFILE=DIR writes a V8 CPU profile of the server there; XDS_BENCH_NODE_ARGS adds node flags to it. */
/** The config's identity section, when it has none, names the corpus's affinity domain (corpus.ts). */
export async function startChild(dataDir: string, config: Record<string, unknown>): Promise<ChildServer> {
  fs.mkdirSync(dataDir, { recursive: true });
  config = { identity: { regional: { authority: REGIONAL_AUTHORITY } }, ...config };
  const configFile = path.join(dataDir, 'bench-config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const profile = [...(process.env.XDS_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.XDS_BENCH_PROFILE] : []), ...(process.env.XDS_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child = await spawnServer(dataDir, ['--config', configFile], { HIE_TOKEN_KEY: 'bench-issuer-key-0123456789abcdef' }, profile);
  return {
    httpPort: child.httpPort!,
    mllpPort: child.mllpPort,
    cpuMs: () => cpuMsOf(child.process.pid),
    stop: () => child.kill('SIGTERM').then(() => undefined),
  };
}
