import { parseArgs } from 'node:util';
import type { AuditMessage } from '../audit/auditMessage.ts';
import type { AuditService } from '../audit/auditService.ts';
import { EventIds, PatientNumber, Roles } from '../audit/codes.ts';
import { launcherName } from '../audit/launcher.ts';
import { IdentityError } from '../identity/errors.ts';
import { cxString } from '../pix/codec/cx.ts';
import { openServices } from '../server/app.ts';
import { createLogger } from '../kernel/logger.ts';
import type { ReadTx } from '../store/types.ts';
import { commonOptions, configFrom, UsageError } from './args.ts';

export const pixReviewHelp = `hie pix review: the links that demographic matching proposed, for a person to decide

Usage:
  hie pix review [list] [--all]     pending proposals (--all: decided ones too)
  hie pix review accept ID          link the two patients (ITI-10 notifications follow)
  hie pix review reject ID          keep them apart

Options: --config FILE, --data-dir DIR, -h/--help. Works on the data folder of a running server too.
`;

export async function pixReview(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...commonOptions, all: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(pixReviewHelp);
    return 0;
  }
  const [action = 'list', idText] = positionals;
  const config = configFrom(values);
  const s = await openServices(config, createLogger('warn'));
  try {
    if (action === 'list') {
      await s.store.read(async (tx) => {
        const list = await tx.identity.proposals(values.all ? undefined : 'pending');
        if (list.length === 0) process.stdout.write('no proposals\n');
        for (const p of list) {
          const rec = await tx.identity.recordById(p.recordId);
          process.stdout.write(
            `#${p.id} ${p.status} score ${p.score.toFixed(2)} (${p.reasons.join(', ')})\n` +
              `  new:       ${rec ? await describeRecords(tx, [rec.id]) : '?'}\n` +
              `  candidate: ${await describePerson(tx, p.candidatePersonId)}\n`,
          );
        }
      });
      return 0;
    }
    const id = Number(idText);
    if (!Number.isInteger(id)) throw new UsageError(`hie pix review ${action}: give the proposal number`);
    if (action === 'accept') {
      const outcome = await s.store.write(async (tx) => {
        const o = await s.identity.acceptProposal(tx, id);
        if (o.crossReferenceChanged) await s.notifier.enqueue(tx, o.personId);
        const ids = (await s.identity.identifiersOf(tx, (await tx.identity.person(o.personId))!)).map(cxString);
        await s.audit.recordIn(tx, reviewAudit(s.audit, ids));
        return o;
      });
      process.stdout.write(`linked: proposal ${id}, patient ${await s.store.read((tx) => describePerson(tx, outcome.personId))}\n`);
    } else if (action === 'reject') {
      await s.store.write((tx) => s.identity.rejectProposal(tx, id));
      process.stdout.write(`rejected: proposal ${id}\n`);
    } else {
      throw new UsageError(`hie pix review: unknown action '${action}' (list, accept or reject)`);
    }
    return 0;
  } catch (e) {
    if (e instanceof IdentityError) {
      process.stderr.write(`hie pix review: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await s.store.close();
  }
}

async function describePerson(tx: ReadTx, personId: number): Promise<string> {
  const recs = await tx.identity.recordsOfPerson(personId);
  return describeRecords(tx, recs.map((r) => r.id));
}

async function describeRecords(tx: ReadTx, ids: number[]): Promise<string> {
  const parts: string[] = [];
  for (const id of ids) {
    const r = await tx.identity.recordById(id);
    if (!r) continue;
    const names = (r.demographics.fields[5] ?? []).map((n) => `${n[0]?.[0] ?? ''} ${n[1]?.[0] ?? ''}`.trim()).join(' / ');
    const dob = r.demographics.fields[7]?.[0]?.[0]?.[0] ?? '';
    const sex = r.demographics.fields[8]?.[0]?.[0]?.[0] ?? '';
    const domain = await tx.identity.domain(r.domainKey);
    parts.push(`${r.localId}@${domain?.namespace || r.domainKey} ${names} ${dob} ${sex}`.trim());
  }
  return parts.join('; ') || '(no records)';
}

/** A reviewer linked two patients: Patient Record, Update, the reviewer as the requestor. */
function reviewAudit(audit: AuditService, ids: string[]): AuditMessage {
  return {
    eventId: EventIds.patientRecord,
    eventActionCode: 'U',
    eventDateTime: new Date().toISOString(),
    eventOutcome: 0,
    eventTypeCodes: [{ code: 'PIX-LINK-REVIEW', codeSystemName: 'HIE', originalText: 'PIX link accepted on review' }],
    participants: [
      { userId: launcherName(), userIsRequestor: true, roleIdCodes: [Roles.applicationLauncher] },
      { userId: audit.node.application, alternativeUserId: audit.processId, userIsRequestor: false, roleIdCodes: [Roles.application] },
    ],
    source: audit.sourceIdentification,
    objects: ids.map((id) => ({ id, typeCode: 1 as const, typeCodeRole: 1, idTypeCode: PatientNumber })),
  };
}
