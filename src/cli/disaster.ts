/**
 * `hie disaster`: declare, list and end disasters. While one is in force, nodes of its area allowed
 * for DISASTER see, with purpose of use DISASTER, what consent withholds (each such access notified
 * to the patient). On the store directly, audited with the operator, like `hie consent`.
 */
import { parseArgs } from 'node:util';
import { launcherName } from '../audit/launcher.ts';
import type { Requester } from '../consent/administration.ts';
import { ConsentInputError } from '../consent/input.ts';
import type { Disaster } from '../consent/model.ts';
import { ConsentChangeError } from '../consent/service.ts';
import { createLogger } from '../kernel/logger.ts';
import { internalContext } from '../kernel/requestContext.ts';
import { consentAdministration, openServices } from '../server/app.ts';
import { commonOptions, configFrom, UsageError } from './args.ts';

export const disasterHelp = `hie disaster: declared disasters, during which purpose of use DISASTER sees what consent withholds

Usage:
  hie disaster declare --description TEXT --facility F [--facility F]... [--start DATE] [--end DATE]
  hie disaster list [--format text|json]
  hie disaster end ID

--facility names a facility of the area (namespace or OID of identity.domains); --start (default now)
and --end (default: until ended) are ISO 8601, e.g. 2026-04-01T09:00:00+09:00.

Options: --config FILE, --data-dir DIR, -h/--help. Works on the data folder of a running server too.
Declaring and ending are audited (Security Alert: Emergency Override Started / Stopped).
`;

const options = {
  ...commonOptions,
  format: { type: 'string' },
  description: { type: 'string' },
  facility: { type: 'string', multiple: true },
  start: { type: 'string' },
  end: { type: 'string' },
} as const;

export const disasterText = (d: Disaster): string =>
  `#${d.id} ${d.endedAt ? `ended ${d.endedAt}` : 'declared'}: ${d.description}\n  area ${d.facilities.join(', ')}; from ${d.start}${d.end ? ` until ${d.end}` : ''}; declared by ${d.declaredBy} at ${d.declaredAt}\n`;

export async function disaster(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  if (values.help) {
    process.stdout.write(disasterHelp);
    return 0;
  }
  const [action, idText] = positionals;
  if (!action || !['declare', 'list', 'end'].includes(action)) {
    process.stderr.write(action ? `hie disaster: unknown action '${action}'\n\n${disasterHelp}` : disasterHelp);
    return 2;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
  let id = 0;
  if (action === 'end') {
    id = Number(idText);
    if (!idText || !Number.isSafeInteger(id) || id <= 0) throw new UsageError('hie disaster end: give the disaster number');
  }
  const config = configFrom(values);
  const s = await openServices(config, createLogger('warn'));
  const operator = launcherName();
  const by: Requester = { ctx: internalContext(operator), source: 'desk', operator };
  const admin = consentAdministration(config, s);
  try {
    if (action === 'list') {
      const list = await admin.disasters();
      process.stdout.write(format === 'json' ? JSON.stringify(list, null, 2) + '\n' : list.map(disasterText).join('') || 'no disasters\n');
      return 0;
    }
    const d =
      action === 'declare'
        ? await admin.declareDisaster({ description: values.description, facilities: values.facility, start: values.start, end: values.end }, by)
        : await admin.endDisaster(id, by);
    process.stdout.write(format === 'json' ? JSON.stringify(d, null, 2) + '\n' : disasterText(d));
    return 0;
  } catch (e) {
    if (e instanceof ConsentInputError || e instanceof ConsentChangeError) {
      process.stderr.write(`hie disaster ${action}: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await s.store.close();
  }
}
