import { parseArgs } from 'node:util';
import { startApp } from '../server/app.ts';
import { createLogger } from '../server/logger.ts';
import { commonOptions, configFrom, intFlag } from './args.ts';
import { loadDemo, withDemoFacilities } from '../ingest/demo.ts';

export const serveHelp = `hie serve: run every actor of the HIE on this machine

Usage: hie serve [options]

Options:
  --config FILE        configuration file (JSON); also HIE_CONFIG
  --data-dir DIR       where the SQLite database and keys live (default ./var)
  --host HOST          address every listener binds to (default 127.0.0.1)
  --mllp-port N        HL7 v2 MLLP port: PIX (ITI-8, ITI-9), PDQ (ITI-21) (default 2575; 0 = any free port)
  --http-port N        HTTP port (default 8080; 0 = any free port)
  --log-level LEVEL    debug, info, warn, error or silent (default info)
  --demo               add the facilities of ssmix-samples/ to identity.domains and, when the store
                       is empty, load their synthetic SS-MIX2 trees (patients and documents)
  -h, --help           this text
`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...commonOptions, host: { type: 'string' }, 'mllp-port': { type: 'string' }, 'http-port': { type: 'string' }, demo: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(serveHelp);
    return 0;
  }
  const base = configFrom(values, {
    'mllp.port': intFlag('mllp-port', values['mllp-port']),
    'http.port': intFlag('http-port', values['http-port']),
    'mllp.host': values.host,
    'http.host': values.host,
  });
  const config = values.demo ? withDemoFacilities(base) : base;
  const log = createLogger(config.log.level);
  const app = await startApp(config, log);
  if (values.demo) {
    // The synthetic SS-MIX2 samples, loaded once into a fresh store.
    for (const { facility, report } of await loadDemo(config, { store: app.store, identity: app.identity, audit: app.audit, xds: app.xds })) {
      const c = report.counts;
      process.stdout.write(`demo: ${facility.name} (${facility.namespace}, ${facility.oid}): ${c.patients} ADT-00 patient feeds, ${c.documents} documents from ssmix-samples/${facility.root}\n`);
    }
  }
  process.stdout.write(
    `hie serving: MLLP ${config.mllp.host}:${app.ports.mllp ?? '-'}  HTTP ${config.http.host}:${app.ports.http ?? '-'}  data ${config.dataDir}\n`,
  );
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await app.stop();
  return 0;
}
