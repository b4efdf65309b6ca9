/**
 * A patient's documents, for every console role, through the consent-scoped registry read and the
 * repository's retrieve (the same services as ITI-18 and ITI-43):
 *   GET /console/patients/{regionalId}/documents            status, class, type, facility, date
 *   GET /console/patients/{regionalId}/documents/{uuid}     one document: an HL7 v2 message as tables, CDA and
 *                                                           text as text, PDF and images embedded
 *   GET /console/patients/{regionalId}/documents/{uuid}/raw the bytes, with their MIME type
 *   GET /console/patients/{regionalId}/documents/peer/…  a document held in a peer region (peerRoutes.ts)
 * Each reading is audited naming the user and the document.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import { readScoped, type ScopedReadDeps, type ScopedReader } from '../../consent/scopedReader.ts';
import type { Config } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { DocumentRetrieval } from '../../xds/repository/retrieve.ts';
import type { RepositoryService } from '../../xds/repository/service.ts';
import { consoleAudit } from '../audited.ts';
import { html, type Html } from '../html.ts';
import { notice, page, type View } from '../layout.ts';
import { personByRegionalId } from '../patients/routes.ts';
import { ctxOf, locals, sendPage, viewOf } from '../web.ts';
import { shownEntry, type ShownEntry } from './entry.ts';
import { peerDocumentsSection } from './peers.ts';
import type { PeerDocuments } from '../../xca/peerDocuments.ts';
import { sendBlob, shownContent } from './viewer.ts';
import { peerDocumentRoutes } from './peerRoutes.ts';

const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
const DEPRECATED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated';
const MAX_LIST = 500;

export interface DocumentsDeps extends ScopedReadDeps {
  audit: AuditService;
  /** Where a missing blob is reported. */
  log?: Logger;
  repository: RepositoryService;
  config: Pick<Config, 'identity'>;
  /** Peer regions' documents (XCA), when peers are configured. */
  peerDocuments?: PeerDocuments;
}

const documentObject = (e: ShownEntry) => ({ id: e.uniqueId, typeCode: 2 as const, typeCodeRole: 3, idTypeCode: { code: '9', codeSystemName: 'RFC-3881', originalText: 'Report Number' } });

/** The patient's documents this user may see, newest first. */
export async function documentsOf(reader: ScopedReader, personId: number, config: DocumentsDeps['config']): Promise<ShownEntry[]> {
  const persons = await reader.personsOf(personId);
  const entries = await reader.findEntries({ kind: 'DocumentEntry', personIds: persons, statuses: [APPROVED, DEPRECATED] }, MAX_LIST);
  return entries.map((e) => shownEntry(e, config)).sort((a, b) => b.date.localeCompare(a.date));
}

export function documentsTable(v: View, base: string, docs: ShownEntry[]): Html {
  if (docs.length === 0) return notice(v.t.noDocuments);
  return html`<div class="table"><table><thead><tr><th scope="col">${v.t.docDate}</th><th scope="col">${v.t.docTitle}</th><th scope="col">${v.t.docClass}</th><th scope="col">${v.t.facility}</th><th scope="col">${v.t.docStatus}</th></tr></thead>
<tbody>${docs.map(
    (d) => html`<tr><td>${d.date}</td><td><a href="${base}/${encodeURIComponent(d.uuid)}">${d.title || d.typeName || d.uniqueId}</a></td><td>${d.classCode.name}</td><td>${d.facility}</td><td>${d.status === 'approved' ? v.t.approved : d.status === 'deprecated' ? v.t.deprecated : ''}</td></tr>`,
  )}</tbody></table></div>`;
}

/** One document of the patient and its file, or undefined when this user may not see it. */
export async function openDocument(deps: DocumentsDeps, retrieval: DocumentRetrieval, ctx: RequestContext, regionalId: string, uuid: string) {
  return readScoped(deps, ctx, 'console document', async (reader) => {
    const person = await personByRegionalId(reader, regionalId);
    if (!person) return undefined;
    const [entry] = await reader.entries([uuid]);
    if (!entry || entry.kind !== 'DocumentEntry' || !(await reader.personsOf(person.id)).includes(entry.personId ?? -1)) return undefined;
    const shown = shownEntry(entry, deps.config);
    const got = await retrieval.retrieve(reader, [{ repositoryUniqueId: shown.repositoryUniqueId, documentUniqueId: shown.uniqueId }]);
    // A registered document whose stored bytes are gone: a not-found page for the user, a line for the operators.
    if (!got.documents[0]) deps.log?.error('console.blob-missing', { document: shown.uniqueId, repository: shown.repositoryUniqueId, error: got.errors[0]?.errorCode });
    return { entry: shown, file: got.documents[0] };
  });
}

export function documentsRouter(deps: DocumentsDeps): Router {
  const router = express.Router();
  const retrieval = new DocumentRetrieval({ repositoryUniqueId: deps.repository.cfg.repositoryUniqueId, registryElsewhere: false }, deps.repository.blobs);

  router.get('/:regionalId/documents', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const rid = String(req.params.regionalId);
    const docs = await readScoped(deps, ctx, 'console documents', async (reader) => {
      const person = await personByRegionalId(reader, rid);
      return person ? documentsOf(reader, person.id, deps.config) : undefined;
    });
    if (!docs) return sendPage(res, page(v, v.t.notFound, html``, { status: notice(v.t.notFound, 'error') }), 404);
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'E', what: 'documents-list', patients: [rid] }));
    const base = `/console/patients/${encodeURIComponent(rid)}/documents`;
    const peers = await peerDocumentsSection(v, deps.peerDocuments, ctx, rid, base);
    sendPage(res, page(v, v.t.documents, html`<p><a href="/console/patients/${encodeURIComponent(rid)}">${v.t.patient}: ${rid}</a></p>${documentsTable(v, base, docs)}${peers}`));
  });

  router.get('/:regionalId/documents/:uuid', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const rid = String(req.params.regionalId);
    const got = await openDocument(deps, retrieval, ctx, rid, String(req.params.uuid));
    if (!got?.file) return sendPage(res, page(v, v.t.notFound, html``, { status: notice(v.t.notFound, 'error') }), 404);
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what: 'document-view', patients: [rid], objects: [documentObject(got.entry)] }));
    const raw = `${req.baseUrl}${req.path}/raw`;
    sendPage(res, page(v, got.entry.title || got.entry.typeName || v.t.document, html`<dl class="kv">
<dt>${v.t.docClass}</dt><dd>${got.entry.classCode.name} (${got.entry.classCode.code})</dd>
<dt>${v.t.docType}</dt><dd>${got.entry.typeName}</dd>
<dt>${v.t.facility}</dt><dd>${got.entry.facility}</dd>
<dt>${v.t.docDate}</dt><dd>${got.entry.date}</dd>
<dt>${v.t.docStatus}</dt><dd>${got.entry.status === 'approved' ? v.t.approved : v.t.deprecated}</dd>
</dl>
<p><a href="${raw}" download>${v.t.download}</a> (${got.file.mimeType}, ${got.file.size} bytes)</p>
${await shownContent(v, locals(res).lang, got.file, raw)}`));
  });

  router.get('/:regionalId/documents/:uuid/raw', async (req: Request, res: Response) => {
    const ctx = ctxOf(req, res);
    const rid = String(req.params.regionalId);
    const got = await openDocument(deps, retrieval, ctx, rid, String(req.params.uuid));
    if (!got?.file) return void res.status(404).type('text/plain').send('not found');
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what: 'document-download', patients: [rid], objects: [documentObject(got.entry)] }));
    // Only types a browser shows safely are shown inline; everything else is a download.
    const inline = /^(application\/pdf|image\/(png|jpeg|gif))$/.test(got.file.mimeType);
    res.set({ 'Content-Security-Policy': "default-src 'none'; sandbox", 'Cache-Control': 'no-store' });
    res.type(inline ? got.file.mimeType : 'application/octet-stream');
    res.set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${got.entry.uniqueId.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
    await sendBlob(res, got.file.file);
  });
  peerDocumentRoutes(router, '/:regionalId/documents', deps, (req) => String(req.params.regionalId), 'peer-document-view');
  return router;
}
