/**
 * A document held in a peer region, opened from a patient's document list:
 *   GET {base}/peer/{homeCommunityId}/{uniqueId}      the document, shown as a local one is (viewer.ts)
 *   GET {base}/peer/{homeCommunityId}/{uniqueId}/raw  its bytes, with their MIME type
 * Retrieved as the Initiating Gateway retrieves it for a local consumer's ITI-43 naming that
 * HomeCommunityId (xca/peerDocuments.ts: ITI-38 and ITI-39 to that peer, the peer's consent, this
 * side's audit), and the reading audited naming the user and the document. A peer that fails is an
 * error page naming the community and its errors.
 */
import type { Request, Response, Router } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import type { PeerDocuments } from '../../xca/peerDocuments.ts';
import { consoleAudit } from '../audited.ts';
import { html } from '../html.ts';
import { notice, page } from '../layout.ts';
import { ctxOf, locals, sendPage, viewOf } from '../web.ts';
import { code, shownDtm } from './entry.ts';
import { DocumentEntrySchemes } from '../../xds/registry/schemes.ts';
import { slotValue } from '../../ebxml/rim.ts';
import { shownContent } from './viewer.ts';

export interface PeerRoutesDeps {
  audit: AuditService;
  peerDocuments?: PeerDocuments;
}

/** The link to open a peer's document from a list under base. */
export const peerDocumentHref = (base: string, homeCommunityId: string, uniqueId: string) => `${base}/peer/${encodeURIComponent(homeCommunityId)}/${encodeURIComponent(uniqueId)}`;

/**
 * Adds the two routes under prefix (a router path such as `/:regionalId/documents`); patientOf names
 * the patient whose document is asked for (the path's, or the signed-in patient's own).
 */
export function peerDocumentRoutes(router: Router, prefix: string, deps: PeerRoutesDeps, patientOf: (req: Request, res: Response) => string, what: string): void {
  const open = async (req: Request, res: Response) => {
    const home = String(req.params.home);
    const uniqueId = String(req.params.uniqueId);
    const rid = patientOf(req, res);
    const opened = deps.peerDocuments?.configured ? await deps.peerDocuments.open(ctxOf(req, res), rid, home, uniqueId) : undefined;
    const object = { id: uniqueId, typeCode: 2 as const, typeCodeRole: 3, idTypeCode: { code: '9', codeSystemName: 'RFC-3881', originalText: 'Report Number' } };
    return { rid, home, opened, object };
  };

  router.get(`${prefix}/peer/:home/:uniqueId`, async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const { rid, opened, object } = await open(req, res);
    if (!opened) return sendPage(res, page(v, v.t.notFound, html``, { status: notice(v.t.notFound, 'error') }), 404);
    if (!opened.found) {
      await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what, outcome: 4, description: opened.errors.map((e) => e.errorCode).join(' '), patients: [rid], objects: [object] }));
      return sendPage(
        res,
        page(v, `${v.t.peerFailed}: ${opened.name}`, html`<div class="notice error peer-error" role="alert"><strong>${v.t.peerFailed}: ${opened.name}</strong> (${opened.homeCommunityId})<ul>${opened.errors.map((e) => html`<li>${e.errorCode}: ${e.codeContext}</li>`)}</ul></div>`),
        502,
      );
    }
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what, patients: [rid], objects: [object] }));
    const e = opened.entry;
    const raw = `${req.baseUrl}${req.path}/raw`;
    sendPage(res, page(v, e.name[0]?.value || code(e, DocumentEntrySchemes.typeCode).name || v.t.document, html`<dl class="kv">
<dt>${v.t.community}</dt><dd>${opened.name} (${opened.homeCommunityId})</dd>
<dt>${v.t.docClass}</dt><dd>${code(e, DocumentEntrySchemes.classCode).name}</dd>
<dt>${v.t.docType}</dt><dd>${code(e, DocumentEntrySchemes.typeCode).name}</dd>
<dt>${v.t.docDate}</dt><dd>${shownDtm(slotValue(e, 'creationTime'))}</dd>
</dl>
<p><a href="${raw}" download>${v.t.download}</a> (${opened.mimeType}, ${opened.data.length} bytes)</p>
${await shownContent(v, locals(res).lang, { mimeType: opened.mimeType, size: opened.data.length, data: opened.data }, raw)}`));
  });

  router.get(`${prefix}/peer/:home/:uniqueId/raw`, async (req: Request, res: Response) => {
    const ctx = ctxOf(req, res);
    const { rid, opened, object } = await open(req, res);
    if (!opened?.found) return void res.status(opened ? 502 : 404).type('text/plain').send(opened ? `${opened.name}: ${opened.errors.map((e) => e.errorCode).join(' ')}` : 'not found');
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what: `${what}-download`, patients: [rid], objects: [object] }));
    // Only types a browser shows safely are shown inline; everything else is a download.
    const inline = /^(application\/pdf|image\/(png|jpeg|gif))$/.test(opened.mimeType);
    res.set({ 'Content-Security-Policy': "default-src 'none'; sandbox", 'Cache-Control': 'no-store' });
    res.type(inline ? opened.mimeType : 'application/octet-stream');
    res.set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${String(req.params.uniqueId).replace(/[^A-Za-z0-9._-]/g, '_')}"`);
    res.send(opened.data);
  });
}
