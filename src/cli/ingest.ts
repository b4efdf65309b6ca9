/** `hie ingest ssmix2`: reads an SS-MIX2 standardized storage tree into the HIE. */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FacilityError, resolveFacility, ssmix2Ingest } from '../ingest/assemble.ts';
import { Ssmix2Ingest, type IngestReport } from '../ingest/ssmix2/ingestRun.ts';
import { RemoteConnectionError, RemoteSharing } from '../ingest/remote/remoteSharing.ts';
import { readTlsClientFiles, TlsFilesError } from '../kernel/tlsClient.ts';
import { parseRemoteTargets, TargetError } from '../ingest/remote/targets.ts';
import { IngestRunLog } from '../ingest/runLog.ts';
import { closingReport, ProgressBar } from '../ingest/ssmix2/report.ts';
import { openServices } from '../server/app.ts';
import { createLogger } from '../kernel/logger.ts';
import { xdsServices } from '../xds/assemble.ts';
import { commonOptions, configFrom, UsageError } from './args.ts';

export const ingestHelp = `hie ingest ssmix2: read an SS-MIX2 standardized storage tree into the HIE

Usage: hie ingest ssmix2 ROOT --facility F [options]

ROOT is laid out ROOT/PID[0:3]/PID[3:6]/PID/CareDate|-/DataType/file (ISO-2022-JP HL7 v2.5 messages).
ADT-00 registers or updates the patient in the facility's assigning authority (as ITI-8); the other
data types become XDS documents (as ITI-41). Files already taken in are not taken again; a run
stopped at any point can simply be run again.

Options:
  --facility F         the facility's assigning authority: a namespace or OID of identity.domains
  --config FILE        configuration file (JSON); also HIE_CONFIG
  --data-dir DIR       the HIE's data folder (default ./var): the ingest writes into its store
  --to TARGETS         publish to a running HIE over the network instead, as a hospital adapter:
                       mllp://HOST:PORT (ITI-8 for ADT-00, ITI-9 for the regional ID) and
                       http://HOST:PORT (ITI-41 to the repository, ITI-57 to the registry; with a
                       path, the repository endpoint's), comma-separated, e.g.
                       --to mllp://127.0.0.1:2575,http://127.0.0.1:8080
                       mllps:// and https:// connect with TLS (see --ca, --cert, --key).
                       The adapter's checkpoint stays in --data-dir.
  --ca FILE            with --to over TLS: the CA that signs the HIE's certificate (PEM)
  --cert FILE          with --to over TLS: the adapter's certificate (PEM), with --key FILE its key;
                       default for all three: config ingest.ssmix2.tls {ca, cert, key}
  --watch              keep running: take new files as they appear (see --interval)
  --interval SECONDS   how often --watch looks again (default 10)
  --concurrency N      patients worked on at once (default: config ingest.ssmix2.concurrency)
  --log-level LEVEL    debug, info, warn, error or silent (default warn)
  -h, --help           this text

A progress line is drawn on stderr when it is a terminal. The closing report (stdout) lists every
rejected file with its reason. Exit status: 0 all files taken in, 3 some files rejected, 2 usage error,
1 the HIE could not be reached (with --to: nothing was marked sent).
`;

export async function ingest(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === '--help' || kind === '-h' || kind === undefined) {
    process.stdout.write(ingestHelp);
    return kind === undefined ? 2 : 0;
  }
  if (kind !== 'ssmix2') throw new UsageError(`hie ingest: unknown source '${kind}' (only ssmix2)\n\n${ingestHelp}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...commonOptions,
      facility: { type: 'string' },
      to: { type: 'string' },
      ca: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      watch: { type: 'boolean' },
      interval: { type: 'string' },
      concurrency: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(ingestHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`hie ingest ssmix2: give one storage ROOT\n\n${ingestHelp}`);
  if (!values.facility) throw new UsageError('hie ingest ssmix2: --facility is required');
  const root = path.resolve(positionals[0]);
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`hie ingest ssmix2: ${root} is not a folder`);
  const interval = values.interval === undefined ? 10 : Number(values.interval);
  if (!(interval > 0)) throw new UsageError('--interval must be a positive number of seconds');
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) throw new UsageError('--concurrency must be a positive integer');
  // As an adapter (--to) the regional authority is the remote HIE's: from config, never one of its own.
  const config = configFrom({ ...values, 'log-level': values['log-level'] ?? 'warn' }, {}, { ownRegionalAuthority: !values.to });


  const log = createLogger(config.log.level);
  const s = await openServices(config, log);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let remote: RemoteSharing | undefined;
  try {
    let facility;
    try {
      facility = await resolveFacility(config, s, values.facility);
    } catch (e) {
      if (e instanceof FacilityError) throw new UsageError(`hie ingest ssmix2: ${e.message}`);
      throw e;
    }
    let runner: Ssmix2Ingest;
    if (values.to) {
      let targets;
      try {
        targets = parseRemoteTargets(values.to, config);
      } catch (e) {
        if (e instanceof TargetError) throw new UsageError(e.message);
        throw e;
      }
      const files = { ...config.ingest.ssmix2.tls, ...definedOf({ ca: values.ca, cert: values.cert, key: values.key }) };
      const usesTls = targets.mllp.tls || targets.repositoryUrl.startsWith('https:');
      if (!usesTls && (values.ca || values.cert || values.key)) throw new UsageError('hie ingest ssmix2: --ca, --cert and --key are for TLS targets (mllps://, https://)');
      let tls;
      try {
        tls = usesTls ? readTlsClientFiles(files) : undefined;
      } catch (e) {
        if (e instanceof TlsFilesError) throw new UsageError(`hie ingest ssmix2: ${e.message}`);
        throw e;
      }
      remote = new RemoteSharing({ store: s.store, domains: s.domains, cfg: config.ingest.ssmix2, targets, application: 'SSMIX2', tls });
      runner = new Ssmix2Ingest(s.store, remote, { domains: s.domains, config: config.identity });
    } else {
      const xds = xdsServices(config, { store: s.store, identity: s.identity, audit: s.audit, log }, { soap: false });
      runner = ssmix2Ingest(config, { ...s, xds }, root);
    }
    const reported = new Set<string>();
    let status = 0;
    do {
      const bar = process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
      const report: IngestReport = await runner.run({
        root,
        facility,
        concurrency: concurrency ?? config.ingest.ssmix2.concurrency,
        signal: stop.signal,
        onFile: bar ? (c, total) => bar.update(c, total) : undefined,
      });
      bar?.done();
      // Kept for the console's operations page: every run that took something in or rejected something.
      if (!values.watch || report.counts.files > report.counts.unchanged) new IngestRunLog(config.dataDir).append(root, values.facility, report);
      if (values.watch) {
        // Each pass reports what is new: files taken in, and rejections not reported before.
        const fresh = report.rejected.filter((r) => !reported.has(`${r.path}\0${r.reason}`));
        fresh.forEach((r) => reported.add(`${r.path}\0${r.reason}`));
        if (report.counts.files - report.counts.unchanged - report.counts.rejected > 0 || fresh.length > 0) {
          process.stdout.write(closingReport(root, values.facility, { ...report, rejected: fresh }));
        }
      } else {
        process.stdout.write(closingReport(root, values.facility, report));
      }
      status = report.rejected.length > 0 ? 3 : 0;
      if (values.watch && !stop.signal.aborted) await sleep(interval * 1000, stop.signal);
    } while (values.watch && !stop.signal.aborted);
    return status;
  } catch (e) {
    // Nothing was checkpointed for the files in flight: the next run sends them.
    if (e instanceof RemoteConnectionError) {
      process.stderr.write(`hie ingest ssmix2: ${e.message}\nNothing was marked sent; run again when the connection works.\n`);
      return 1;
    }
    throw e;
  } finally {
    await remote?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await s.store.close();
  }
}

/** The flags given, without the undefined ones (so that they do not hide the config's). */
function definedOf<T extends Record<string, string | undefined>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
