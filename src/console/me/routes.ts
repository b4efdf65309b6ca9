/**
 * A patient's own page (signed in as themselves: every page reads only the session's patient):
 *   GET  /console/me                  my records: lab results, prescriptions, allergies, problems, encounters
 *                                     read from the SS-MIX2 messages of my documents at every facility, and the documents
 *   GET  /console/me/documents/{uuid} one of my documents
 *   GET  /console/me/documents/peer/{homeCommunityId}/{uniqueId} one of my documents held in a peer region
 *   GET  /console/me/access           who saw my records: the access report, emergency accesses marked
 *   GET  /console/me/notifications    the emergency (and disaster) accesses to my records
 *   GET  /console/me/sharing          what I share: withheld classes and facilities, opt in or out
 *   POST /console/me/sharing/withhold|release|participation
 * Reads go through the scoped reader and the repository's retrieve like every read path; changes of
 * consent through ConsentAdministration, audited naming the patient.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import type { ConsentAdministration, Requester } from '../../consent/administration.ts';
import { ConsentInputError } from '../../consent/input.ts';
import { ConsentChangeError } from '../../consent/service.ts';
import { readScoped, type ScopedReadDeps } from '../../consent/scopedReader.ts';
import type { AccessReport } from '../../atna/report/accessReport.ts';
import type { AccessReporter } from '../../atna/report/accessReport.ts';
import { shownTime } from '../../atna/report/html.ts';
import type { Config } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/logger.ts';
import { DocumentRetrieval } from '../../xds/repository/retrieve.ts';
import type { RepositoryService } from '../../xds/repository/service.ts';
import { consoleAudit } from '../audited.ts';
import { consentView, termsBody, type WithheldChoice } from '../consent/view.ts';
import { documentsOf, documentsTable, openDocument } from '../documents/routes.ts';
import { sendBlob, shownContent } from '../documents/viewer.ts';
import { peerDocumentRoutes } from '../documents/peerRoutes.ts';
import { flagText } from '../documents/hl7Table.ts';
import { html, type Html } from '../html.ts';
import { notice, page, type View } from '../layout.ts';
import { shownDemographics } from '../patients/names.ts';
import { personByRegionalId } from '../patients/routes.ts';
import { ctxOf, locals, sendPage, text, viewOf } from '../web.ts';
import type { HealthRecord } from './healthRecord.ts';
import { readRecord, RECORD_LIMITS, type RecordFile } from './recordFiles.ts';
import { notificationsRouter, unreadBanner } from './notifications.ts';
import { peerDocumentsSection } from '../documents/peers.ts';
import type { PeerDocuments } from '../../xca/peerDocuments.ts';

export interface MeDeps extends ScopedReadDeps {
  audit: AuditService;
  /** Where a missing blob is reported. */
  log?: Logger;
  repository: RepositoryService;
  admin: ConsentAdministration;
  reporter: AccessReporter;
  config: Pick<Config, 'identity' | 'atna'>;
  /** Peer regions' documents (XCA), when peers are configured. */
  peerDocuments?: PeerDocuments;
}

const KINDS: readonly WithheldChoice[] = ['classCodes', 'facilities'];

const table = (v: View, caption: string, head: string[], rows: Html[]) =>
  rows.length
    ? html`<div class="table"><table><caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<h2>${caption}</h2><p>${v.t.none}</p>`;

function recordSections(v: View, lang: 'ja' | 'en', r: HealthRecord): Html {
  const t = v.t;
  return html`${table(v, t.labs, [t.docDate, t.test, t.item, t.result, t.units, t.range, t.flag, t.facility], r.labs.map((l) => {
    const abnormal = l.flag !== '' && l.flag !== 'N';
    return html`<tr><td>${l.date}</td><td>${l.test}</td><td>${l.item}</td><td${abnormal ? html` class="abnormal"` : ''}>${l.value}</td><td>${l.units}</td><td>${l.range}</td><td>${abnormal ? html`<span class="abnormal">${flagText(l.flag, lang)} (${l.flag})</span>` : ''}</td><td>${l.facility}</td></tr>`;
  }))}
${table(v, t.prescriptions, [t.docDate, t.drug, t.amount, t.usage, t.days, t.route, t.facility], r.prescriptions.map((p) => html`<tr><td>${p.date}</td><td>${p.drug}</td><td>${p.amount} ${p.units}</td><td>${p.instructions}</td><td>${p.days}</td><td>${p.route}</td><td>${p.facility}</td></tr>`))}
${table(v, t.allergies, [t.docDate, t.allergen, t.docClass, t.severity, t.reaction, t.facility], r.allergies.map((a) => html`<tr><td>${a.date}</td><td>${a.allergen}</td><td>${a.kind}</td><td>${a.severity}</td><td>${a.reaction}</td><td>${a.facility}</td></tr>`))}
${table(v, t.problems, [t.docDate, t.name, t.onset, t.facility], r.problems.map((p) => html`<tr><td>${p.date}</td><td>${p.problem}</td><td>${p.onset}</td><td>${p.facility}</td></tr>`))}
${table(v, t.encounters, [t.docDate, t.visitKind, t.department, t.doctor, t.facility], r.encounters.map((e) => html`<tr><td>${e.date}</td><td>${e.kind}</td><td>${e.department}</td><td>${e.doctor}</td><td>${e.facility}</td></tr>`))}`;
}

function accessRows(v: View, r: AccessReport, onlyEmergency: boolean): Html {
  const entries = onlyEmergency ? r.entries.filter((e) => e.emergency) : r.entries;
  if (entries.length === 0) return notice(onlyEmergency ? v.t.noEmergency : v.t.none);
  return html`<div class="table"><table id="access"><thead><tr><th scope="col">${v.t.when} (${r.timeZone})</th><th scope="col">${v.t.facility}</th><th scope="col">${v.t.user}</th><th scope="col">${v.t.what}</th></tr></thead>
<tbody>${entries.map(
    (e) => html`<tr${e.emergency ? html` class="emergency"` : ''}><td>${shownTime(e.time, r.timeZone)}</td><td>${e.facilityName || e.facility || '—'}</td><td>${e.who}</td><td>${e.emergency ? html`<strong class="flag">⚠ ${v.t.emergencyAccess}</strong> ${e.purposeOfUse.map((p) => p.code).join(', ')}<br>` : ''}${e.transaction?.name ?? e.event.name}</td></tr>`,
  )}</tbody></table></div>`;
}

export function meRouter(deps: MeDeps): Router {
  const router = express.Router();
  const retrieval = new DocumentRetrieval({ repositoryUniqueId: deps.repository.cfg.repositoryUniqueId, registryElsewhere: false }, deps.repository.blobs);
  const mine = (res: Response) => locals(res).session!.user.patient!;

  router.get('/', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const rid = mine(res);
    // In the read transaction only what is needed: the documents and where their files are.
    const found = await readScoped(deps, ctx, 'patient portal records', async (reader) => {
      const person = await personByRegionalId(reader, rid);
      if (!person) return undefined;
      const docs = await documentsOf(reader, person.id, deps.config);
      const records = await reader.recordsOfPerson(person.id);
      const approved = docs.filter((d) => d.status === 'approved').slice(0, RECORD_LIMITS.maxFiles);
      const got = await retrieval.retrieve(reader, approved.map((d) => ({ repositoryUniqueId: d.repositoryUniqueId, documentUniqueId: d.uniqueId })));
      const files: RecordFile[] = got.documents.map((f) => {
        const d = docs.find((x) => x.uniqueId === f.request.documentUniqueId)!;
        return { file: f.file, size: f.size, facility: d.facility, date: d.date };
      });
      return { docs, name: records[0] ? shownDemographics(records[0]).names[0] : undefined, files };
    });
    if (!found) return sendPage(res, page(v, v.t.meRecords, notice(v.t.noDocuments)));
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what: 'patient-own-records', patients: [rid] }));
    // Read and parsed after the transaction, with a bound on the work (recordFiles.ts).
    const { record } = await readRecord(found.files);
    const banner = await unreadBanner({ admin: deps.admin, config: deps.config }, v, rid);
    const peers = await peerDocumentsSection(v, deps.peerDocuments, ctx, rid, '/console/me/documents');
    sendPage(res, page(v, `${v.t.meRecords}${found.name ? `: ${found.name}` : ''}`, html`${banner}${recordSections(v, locals(res).lang, record)}<h2>${v.t.documents}</h2>${documentsTable(v, '/console/me/documents', found.docs)}${peers}`));
  });

  router.get('/documents/:uuid', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const got = await openDocument(deps, retrieval, ctx, mine(res), String(req.params.uuid));
    if (!got?.file) return sendPage(res, page(v, v.t.notFound, html``, { status: notice(v.t.notFound, 'error') }), 404);
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what: 'patient-own-document', patients: [mine(res)], objects: [{ id: got.entry.uniqueId, typeCode: 2, typeCodeRole: 3, idTypeCode: { code: '9', codeSystemName: 'RFC-3881', originalText: 'Report Number' } }] }));
    sendPage(res, page(v, got.entry.title || v.t.document, html`<p>${got.entry.facility} · ${got.entry.date}</p>${await shownContent(v, locals(res).lang, got.file, `/console/me/documents/${encodeURIComponent(got.entry.uuid)}/raw`)}`));
  });

  router.get('/documents/:uuid/raw', async (req: Request, res: Response) => {
    const ctx = ctxOf(req, res);
    const got = await openDocument(deps, retrieval, ctx, mine(res), String(req.params.uuid));
    if (!got?.file) return void res.status(404).type('text/plain').send('not found');
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what: 'patient-own-document-download', patients: [mine(res)], objects: [{ id: got.entry.uniqueId, typeCode: 2, typeCodeRole: 3, idTypeCode: { code: '9', codeSystemName: 'RFC-3881', originalText: 'Report Number' } }] }));
    const inline = /^(application\/pdf|image\/(png|jpeg|gif))$/.test(got.file.mimeType);
    res.set({ 'Content-Security-Policy': "default-src 'none'; sandbox", 'Cache-Control': 'no-store' });
    res.type(inline ? got.file.mimeType : 'application/octet-stream');
    res.set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${got.entry.uniqueId.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
    await sendBlob(res, got.file.file);
  });

  peerDocumentRoutes(router, '/documents', deps, (_req, res) => mine(res), 'patient-own-peer-document');

  const report = (req: Request, res: Response) => deps.reporter.report(mine(res), { context: ctxOf(req, res), via: `${req.protocol}://${req.get('host')}${req.originalUrl}` });
  router.get('/access', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    sendPage(res, page(v, v.t.meAccess, accessRows(v, await report(req, res), false)));
  });
  router.use(notificationsRouter({ admin: deps.admin, config: deps.config }));

  const sharing = async (req: Request, res: Response, status?: Html, code = 200) => {
    const v = viewOf(req, res);
    const rid = mine(res);
    const [shown, history] = await Promise.all([deps.admin.show(rid), deps.admin.history(rid)]);
    const classes = await readScoped(deps, ctxOf(req, res), 'patient portal sharing', async (reader) => {
      const person = await personByRegionalId(reader, rid);
      const seen = new Map<string, { code: string; scheme: string; name: string }>();
      if (person) for (const d of await documentsOf(reader, person.id, deps.config)) if (d.classCode.code) seen.set(`${d.classCode.code}^^${d.classCode.scheme}`, d.classCode);
      return [...seen.values()];
    });
    await deps.audit.record(consoleAudit(deps.audit, ctxOf(req, res), { action: 'R', what: 'patient-own-sharing', patients: shown.patient.identifiers }));
    sendPage(res, page(v, v.t.meSharing, consentView(v, deps.config, shown, history.history, { action: '/console/me/sharing', classes, releasable: KINDS }), { status }), code);
  };
  router.get('/sharing', (req, res) => sharing(req, res));

  const change = (fn: (rid: string, req: Request, by: Requester) => Promise<unknown>) => async (req: Request, res: Response, next: NextFunction) => {
    const v = viewOf(req, res);
    const rid = mine(res);
    const by: Requester = { ctx: ctxOf(req, res), source: 'portal', operator: `patient ${rid}` };
    try {
      await fn(rid, req, by);
      return sharing(req, res, notice(v.t.changed));
    } catch (e) {
      if (e instanceof ConsentInputError || e instanceof ConsentChangeError) return sharing(req, res, notice(e.message, 'error'), 400);
      next(e);
    }
  };
  const kind = (req: Request) => {
    const k = text(req.body?.kind) as WithheldChoice;
    if (!KINDS.includes(k)) throw new ConsentInputError('kind must be classCodes or facilities');
    return k;
  };
  router.post('/sharing/withhold', change((rid, req, by) => deps.admin.withhold(rid, { [kind(req)]: [text(req.body?.value, 300)] }, by)));
  router.post(
    '/sharing/release',
    change((rid, req, by) => {
      const release = { kind: kind(req), value: text(req.body?.value, 300) };
      return deps.admin.update(rid, (current) => termsBody(current, { release }), by);
    }),
  );
  router.post(
    '/sharing/participation',
    change(async (rid, req, by) => {
      const participation = text(req.body?.participation);
      if (participation !== 'opted-in' && participation !== 'opted-out') throw new ConsentInputError('participation must be opted-in or opted-out');
      return deps.admin.update(rid, (current) => termsBody(current, { participation }), by);
    }),
  );
  return router;
}
