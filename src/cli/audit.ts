import os from 'node:os';
import { parseArgs } from 'node:util';
import { AccessReporter } from '../atna/report/accessReport.ts';
import { accessReportText } from '../atna/report/html.ts';
import { DisplayNames } from '../atna/report/displayNames.ts';
import { UnknownPatient } from '../identity/patientReference.ts';
import { launcherName } from '../audit/launcher.ts';
import { openServices } from '../server/app.ts';
import { createLogger } from '../kernel/logger.ts';
import { commonOptions, configFrom, UsageError } from './args.ts';

export const auditHelp = `hie audit patient: who has seen a patient's records (the patient access report)

Usage:
  hie audit patient ID [--format text|json]

ID names the patient: a local ID with its assigning authority as an HL7 CX (L123^^^HOSP_A&1.2.3&ISO,
L123^^^HOSP_A), system|value (urn:oid:1.2.3|L123), token:TOKEN, or a bare token or regional ID.
Every access and disclosure the audit trail holds (own and received events), newest first; emergency
access marked. The reading is itself audited (Audit Log Used).

Options: --config FILE, --data-dir DIR, --format text|json (default text), -h/--help.
Works on the data folder of a running server too.
`;

export async function audit(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...commonOptions, format: { type: 'string' } } });
  if (values.help || positionals[0] !== 'patient') {
    process.stdout.write(auditHelp);
    return values.help ? 0 : 2;
  }
  const reference = positionals[1];
  if (!reference) throw new UsageError('hie audit patient: give the patient ID');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
  const config = configFrom(values);
  const s = await openServices(config, createLogger('warn'));
  try {
    const reporter = new AccessReporter({
      store: s.store,
      identity: s.identity,
      audit: s.audit,
      decisions: s.consent,
      maxEvents: config.atna.reportMaxEvents,
      breakGlassPurposes: [...config.consent.emergencyPurposes, ...config.consent.disasterPurposes],
      names: DisplayNames.fromConfig(config),
      timeZone: config.atna.reportTimeZone,
    });
    const report = await reporter.report(reference, { userId: launcherName(), via: `hie audit patient (${os.hostname()})` });
    process.stdout.write(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : accessReportText(report));
    return 0;
  } catch (e) {
    if (e instanceof UnknownPatient) {
      process.stderr.write(`hie audit patient: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await s.store.close();
  }
}

