import { parseArgs } from 'node:util';
import { startApp } from '../server/app.ts';
import { createLogger, type Logger } from '../kernel/logger.ts';
import { commonOptions, configFrom, intFlag } from './args.ts';
import { demoNotLoadedNote, ingestedFiles, loadDemo } from '../ingest/demo.ts';
import { withDemoFacilities } from '../server/config/demo.ts';

export const serveHelp = `hie serve: run every actor of the HIE on this machine

Usage: hie serve [options]

Options:
  --config FILE        configuration file (JSON); also HIE_CONFIG
  --data-dir DIR       where the SQLite database and keys live (default ./var)
  --host HOST          address every listener binds to (default 127.0.0.1)
  --mllp-port N        HL7 v2 MLLP port: PIX (ITI-8, ITI-9), PDQ (ITI-21) (default 2575; 0 = any free port)
  --http-port N        HTTP port (default 8080; 0 = any free port)
  --syslog-tls-port N  ATNA audit repository, syslog over TLS (RFC 5425; certificates from syslog.tls in config)
  --syslog-udp-port N  ATNA audit repository, syslog over UDP (RFC 5426)
  --syslog-tcp-port N  ATNA audit repository, plain TCP syslog (octet-counted) for local testing
  --log-level LEVEL    debug, info, warn, error or silent (default info)
  --demo               add the facilities of ssmix-samples/ to identity.domains and, when the store
                       is empty, load their synthetic SS-MIX2 trees (patients and documents)
  -h, --help           this text
`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...commonOptions,
      host: { type: 'string' },
      'mllp-port': { type: 'string' },
      'http-port': { type: 'string' },
      'syslog-tls-port': { type: 'string' },
      'syslog-udp-port': { type: 'string' },
      'syslog-tcp-port': { type: 'string' },
      demo: { type: 'boolean' },
    },
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
    'syslog.tls.port': intFlag('syslog-tls-port', values['syslog-tls-port']),
    'syslog.udp.port': intFlag('syslog-udp-port', values['syslog-udp-port']),
    'syslog.tcp.port': intFlag('syslog-tcp-port', values['syslog-tcp-port']),
    'syslog.host': values.host,
  });
  const config = values.demo ? withDemoFacilities(base) : base;
  const log = createLogger(config.log.level);
  // What a remote SS-MIX2 adapter (hie ingest --to) must name as identity.regional.authority.
  log.info('identity.regional-authority', { ...config.identity.regional.authority });
  // Handled from the start: a signal while starting stops the server once it has started.
  const stopping = stopSignal(log);
  const app = await startApp(config, log, { waitFor: values.demo ? ['demo'] : [], processMetrics: true });
  if (values.demo) {
    // The synthetic SS-MIX2 samples, loaded once into a fresh store; a second run says so.
    const loaded = await loadDemo(config, { store: app.store, identity: app.identity, audit: app.audit, xds: app.xds });
    for (const { facility, report } of loaded) {
      const c = report.counts;
      process.stdout.write(`demo: ${facility.name} (${facility.namespace}, ${facility.oid}): ${c.patients} ADT-00 patient feeds, ${c.documents} documents from ssmix-samples/${facility.root}\n`);
    }
    if (loaded.length === 0) process.stdout.write(demoNotLoadedNote(config.dataDir, await ingestedFiles(app)));
    app.readiness.done('demo');
  }
  const syslog = [
    app.ports.syslogTls !== undefined ? `syslog TLS ${config.syslog.host}:${app.ports.syslogTls}` : '',
    app.ports.syslogUdp !== undefined ? `syslog UDP ${config.syslog.host}:${app.ports.syslogUdp}` : '',
    app.ports.syslogTcp !== undefined ? `syslog TCP ${config.syslog.host}:${app.ports.syslogTcp}` : '',
  ].filter(Boolean);
  process.stdout.write(
    `hie serving: MLLP ${config.mllp.host}:${app.ports.mllp ?? '-'}  HTTP ${config.http.host}:${app.ports.http ?? '-'}${syslog.map((x) => '  ' + x).join('')}  data ${config.dataDir}\n`,
  );
  await stopping;
  await app.stop();
  // Nothing should be left running; if something is, it does not keep a stopped server's process alive.
  setTimeout(() => process.exit(0), 5000).unref();
  return 0;
}

/**
 * Resolves at the first SIGTERM or SIGINT (Ctrl-C); the server then stops gracefully (listeners stop
 * accepting, requests in flight finish up to their deadline, the store closes). A signal more than a
 * second later (a second Ctrl-C) ends the process at once. The one-second grace is there because
 * Ctrl-C under `npm start` reaches this process twice: from the terminal and forwarded by npm.
 */
function stopSignal(log: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first = 0;
    const on = (signal: NodeJS.Signals) => {
      if (first === 0) {
        first = Date.now();
        log.info('stopping', { signal });
        resolve(signal);
      } else if (Date.now() - first > 1000) {
        log.warn('stopped.forced', { signal });
        process.exit(130);
      }
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
