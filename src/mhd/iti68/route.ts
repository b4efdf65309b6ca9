/**
 * ITI-68 Retrieve Document at `GET [base]/Binary/{id}`: admitted by node role, the document found
 * and read through the requester's scoped reader (retrieveDocument.ts), answered as its bytes, the
 * Binary resource, or an OperationOutcome (404, 406, 410), and audited as a retrieve (Export, R).
 */
import { readFile } from 'node:fs/promises';
import type { Request, Response } from 'express';
import { readScoped } from '../../consent/scopedReader.ts';
import { FhirError, sendResource } from '../../fhir/outcome.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import type { DocumentRetrieval } from '../../xds/repository/retrieve.ts';
import { externalId } from '../../xds/registry/metadata.ts';
import { DocumentEntrySchemes } from '../../xds/registry/schemes.ts';
import { admit } from '../admission.ts';
import { retrieveAudit } from '../audit.ts';
import { requesterOf } from '../http.ts';
import { sendMhdError } from '../outcome.ts';
import type { RegistryReads } from '../registryReads.ts';
import type { MhdDeps } from '../deps.ts';
import { MHD } from '../transactions.ts';
import { acceptOf, retrieveDocument } from './retrieveDocument.ts';

export function iti68Route(deps: MhdDeps, reads: RegistryReads, retrieval: DocumentRetrieval) {
  const { audit, log } = deps;
  const scoped = { store: deps.store, identity: deps.identity, decisions: deps.decisions };
  return async (req: Request, res: Response): Promise<void> => {
    const tx = MHD['ITI-68'];
    const ctx = httpContext(req);
    const requester = requesterOf(req);
    const record = (outcome: 0 | 4 | 8, description?: string, patientId?: string, document?: { uniqueId: string; repositoryUniqueId: string }) =>
      audit.record(retrieveAudit(audit, tx, { requester, outcome, description, patientId, document }));
    try {
      await admit(deps, tx, ctx, requester.peer.endpoint, (reason) => record(4, reason));
      const id = String(req.params.id);
      const found = await readScoped(scoped, ctx, tx.id, (reader) => retrieveDocument(reader, reads, retrieval, id));
      const patientId = found.entry ? externalId(found.entry, DocumentEntrySchemes.patientId) : undefined;
      if (found.kind === 'unknown') {
        await record(4, found.reason, patientId);
        throw new FhirError(404, 'not-found', `Binary/${id} is not known`);
      }
      if (found.kind === 'deprecated') {
        await record(4, 'the document is deprecated', patientId);
        throw new FhirError(410, 'not-found', `Binary/${id}: the document is deprecated (ITI TF-2 Table 2:3.68.4.2.2-1)`);
      }
      const { document } = found;
      const wanted = acceptOf(req.get('accept'), document.mimeType);
      if (wanted === 'none') {
        await record(4, `not acceptable: ${req.get('accept')}`, patientId);
        throw new FhirError(406, 'not-supported', `the document is ${document.mimeType}; Accept ${req.get('accept')} names neither it nor a FHIR type (application/fhir+json, application/fhir+xml)`);
      }
      const doc = { uniqueId: document.request.documentUniqueId, repositoryUniqueId: document.request.repositoryUniqueId };
      if (wanted === 'binary') {
        const data = await readFile(document.file);
        await record(0, undefined, patientId, doc);
        sendResource(res, 200, { resourceType: 'Binary', id, contentType: document.mimeType, data: data.toString('base64') });
        return;
      }
      await record(0, undefined, patientId, doc);
      res.status(200);
      res.sendFile(document.file, { headers: { 'Content-Type': document.mimeType }, dotfiles: 'allow' }, (err) => {
        if (err && !res.headersSent) sendMhdError(res, err);
      });
    } catch (e) {
      if (!(e instanceof FhirError)) {
        log.error('mhd.iti68.failed', { error: e instanceof Error ? e.message : String(e) });
        await record(8, e instanceof Error ? e.message : String(e)).catch(() => undefined);
      }
      sendMhdError(res, e);
    }
  };
}
