/**
 * `hie consent`: consent given on paper at a desk, recorded on the store directly (as `hie pix
 * review` does), with source `desk` and the operator who ran the command; audited like the admin API.
 * Reading a patient's consent (`show`, `history`) is audited too, naming the operator and the patient.
 */
import { parseArgs } from 'node:util';
import { launcherName } from '../audit/launcher.ts';
import { patientCodeAudit } from '../console/audited.ts';
import { PatientAccounts } from '../console/me/accounts.ts';
import type { Requester } from '../consent/administration.ts';
import { consentReadAudit } from '../consent/audit.ts';
import { ConsentInputError } from '../consent/input.ts';
import { codeKey, type Consent, type ConsentChange } from '../consent/model.ts';
import { ConsentChangeError } from '../consent/service.ts';
import { UnknownPatient } from '../identity/patientReference.ts';
import { createLogger } from '../kernel/logger.ts';
import { internalContext } from '../kernel/requestContext.ts';
import { consentAdministration, openServices } from '../server/app.ts';
import { commonOptions, configFrom, UsageError } from './args.ts';

export const consentHelp = `hie consent: a patient's consent to the regional network, as given on paper at a desk

Usage:
  hie consent show PATIENT [--format text|json]
  hie consent set PATIENT --participation opted-in|opted-out|not-enrolled [--facility F]...
                  [--peer-region urn:oid:OID]... [--from DATE] [--until DATE] [WITHHOLD...]
  hie consent withhold PATIENT WITHHOLD...
  hie consent revoke PATIENT
  hie consent history PATIENT [--format text|json]
  hie consent code PATIENT         a one-time code for the patient's first sign-in to their own page

PATIENT names the patient as 'hie audit patient' does: L123^^^HOSP_A&1.2.3&ISO, urn:oid:1.2.3|L123,
token:TOKEN, or a bare token or regional ID.
set replaces the whole consent: --facility (namespace or OID, repeatable) limits the facilities that
may see (none: every facility of the network); --peer-region lets a peer region's gateway see;
--from/--until (ISO 8601, e.g. 2026-04-01 or 2026-04-01T09:00:00+09:00) bound its validity.
WITHHOLD (repeatable): --class CODE^^SCHEME, --type CODE^^SCHEME, --confidentiality CODE^^SCHEME,
--department CODE^^SCHEME (practiceSettingCode), --withhold-facility F, --document UNIQUEID.
revoke: the patient withdraws consent; nothing is shared until a new 'set'.
code: prints the patient's regional ID and a one-time code (valid console.patientCodeTtlMs) to hand
over; at /console/me/activate the patient uses it once to set a password of their own. A new code
replaces an unused one.

Options: --config FILE, --data-dir DIR, -h/--help. Works on the data folder of a running server too.
Every change is kept in the history (source desk, the operator) and audited.
`;

const options = {
  ...commonOptions,
  format: { type: 'string' },
  participation: { type: 'string' },
  facility: { type: 'string', multiple: true },
  'peer-region': { type: 'string', multiple: true },
  from: { type: 'string' },
  until: { type: 'string' },
  class: { type: 'string', multiple: true },
  type: { type: 'string', multiple: true },
  confidentiality: { type: 'string', multiple: true },
  department: { type: 'string', multiple: true },
  'withhold-facility': { type: 'string', multiple: true },
  document: { type: 'string', multiple: true },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof options }>>['values'];

function withholdBody(v: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const put = (k: string, l: string[] | undefined) => l?.length && (body[k] = l);
  put('classCodes', v.class);
  put('typeCodes', v.type);
  put('confidentialityCodes', v.confidentiality);
  put('practiceSettingCodes', v.department);
  put('facilities', v['withhold-facility']);
  put('documents', v.document);
  return body;
}

export function consentText(c: Consent | null): string {
  if (!c) return '  no consent recorded\n';
  const w = c.withheld;
  const list = (l: string[]) => (l.length ? l.join(', ') : '-');
  return (
    `  participation: ${c.participation}${c.revokedAt ? ` (revoked ${c.revokedAt})` : ''}\n` +
    `  facilities:    ${c.facilities.length ? c.facilities.join(', ') : 'every facility of the network'}\n` +
    `  peer regions:  ${list(c.peerRegions)}\n` +
    `  valid:         ${c.validFrom ?? '-'} .. ${c.validUntil ?? '-'}\n` +
    `  withheld:      classes ${list(w.classCodes.map(codeKey))}; types ${list(w.typeCodes.map(codeKey))}; confidentiality ${list(w.confidentialityCodes.map(codeKey))}; departments ${list(w.practiceSettingCodes.map(codeKey))}; facilities ${list(w.facilities)}; documents ${list(w.documents)}\n` +
    `  version ${c.version}, ${c.updatedAt}, source ${c.source.kind}${c.source.document ? ` ${c.source.document}` : ''}\n`
  );
}

const changeText = (h: ConsentChange) =>
  `#${h.id} ${h.at} ${h.action} by ${h.who} (${h.source.kind}${h.source.document ? ` ${h.source.document}` : ''})\n${h.changes.map((c) => `    ${c}\n`).join('') || '    no change\n'}`;

export async function consent(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  if (values.help) {
    process.stdout.write(consentHelp);
    return 0;
  }
  const [action, reference] = positionals;
  if (!action || !['show', 'set', 'withhold', 'revoke', 'history', 'code'].includes(action)) {
    process.stderr.write(action ? `hie consent: unknown action '${action}'\n\n${consentHelp}` : consentHelp);
    return 2;
  }
  if (!reference) throw new UsageError(`hie consent ${action}: give the patient`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
  const config = configFrom(values);
  const s = await openServices(config, createLogger('warn'));
  const operator = launcherName();
  const by: Requester = { ctx: internalContext(operator), source: 'desk', operator };
  const admin = consentAdministration(config, s);
  // A read of a patient's consent is audited as a change is: the operator, the patient, the outcome.
  const audited = async <T extends { patient: { identifiers: string[] } }>(what: 'show' | 'history', read: () => Promise<T>): Promise<T> => {
    const r = await read().catch(async (e: unknown) => {
      // The reference as typed is not repeated: it may be anything, an individual number too.
      if (e instanceof UnknownPatient) await s.audit.record(consentReadAudit(s.audit, by.ctx, { what, patientIds: [], outcome: 4, operator }));
      throw e;
    });
    await s.audit.record(consentReadAudit(s.audit, by.ctx, { what, patientIds: r.patient.identifiers, outcome: 0, operator }));
    return r;
  };
  const out = (json: unknown, text: string) => process.stdout.write(format === 'json' ? JSON.stringify(json, null, 2) + '\n' : text);
  try {
    if (action === 'code') {
      const r = await admin.show(reference).catch(async (e: unknown) => {
        // The reference as typed is not repeated: it may be anything, an individual number too.
        if (e instanceof UnknownPatient) await s.audit.record(patientCodeAudit(s.audit, by.ctx, { patients: [], operator, outcome: 4, description: 'patient page sign-in code refused: no such patient' }));
        throw e;
      });
      const issued = await PatientAccounts.of(config.dataDir, config.console.patientAccountsFile).issueCode(r.patient.regionalId, config.console.patientCodeTtlMs);
      await s.audit.record(patientCodeAudit(s.audit, by.ctx, { patients: r.patient.identifiers, operator, outcome: 0, description: `patient page sign-in code issued, valid until ${issued.expiresAt}` }));
      out(
        { regionalId: r.patient.regionalId, code: issued.code, expiresAt: issued.expiresAt },
        `patient page sign-in (/console/me/activate)\n  regional ID:   ${r.patient.regionalId}\n  one-time code: ${issued.code}\n  valid until:   ${issued.expiresAt}\n`,
      );
    } else if (action === 'show') {
      const r = await audited('show', () => admin.show(reference));
      out(r, `patient ${r.patient.identifiers.join(', ')}\n  shared now:    ${r.shared ? 'yes' : 'no'} (region default ${r.participationDefault})\n${consentText(r.consent)}`);
    } else if (action === 'history') {
      const r = await audited('history', () => admin.history(reference));
      out(r, `patient ${r.patient.identifiers.join(', ')}\n${r.history.map(changeText).join('') || '  no changes\n'}`);
    } else {
      let change: ConsentChange;
      if (action === 'set') {
        if (!values.participation) throw new UsageError('hie consent set: give --participation opted-in, opted-out or not-enrolled');
        const body: Record<string, unknown> = { participation: values.participation, withhold: withholdBody(values) };
        if (values.facility) body.facilities = values.facility;
        if (values['peer-region']) body.peerRegions = values['peer-region'];
        if (values.from) body.validFrom = values.from;
        if (values.until) body.validUntil = values.until;
        change = await admin.set(reference, body, by);
      } else if (action === 'withhold') {
        change = await admin.withhold(reference, withholdBody(values), by);
      } else {
        change = await admin.revoke(reference, by);
      }
      out(change, `${action}: patient consent version ${change.consent.version}\n${change.changes.map((c) => `  ${c}\n`).join('') || '  no change\n'}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UnknownPatient || e instanceof ConsentInputError || e instanceof ConsentChangeError) {
      process.stderr.write(`hie consent ${action}: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await s.store.close();
  }
}
