/**
 * ITI-68 Retrieve Document at `GET [base]/Binary/{id}`: admitted by node role, the document found
 * and read through the requester's scoped reader (retrieveDocument.ts), answered as its bytes, the
 * Binary resource, or an OperationOutcome (404, 406, 410), and audited as a retrieve (Export, R).
 *
 * The bytes are streamed from the repository's blob (never held whole in memory), the Binary
 * resource's base64 too (binaryResource.ts). The blob is opened and checked before the status line is
 * written, so that a missing one is answered 404 and an unreadable one 500, each an
 * OperationOutcome. The audit message is written when the response has ended, with the outcome it
 * had: success when every byte was handed to the connection, a failure when the client went away
 * (4) or the read failed once the answer had begun (8; the connection is then closed short of its
 * Content-Length, which tells the client the transfer failed).
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { Request, RequestHandler, Response } from 'express';
import { readScoped } from '../../consent/scopedReader.ts';
import { roleGate } from '../../fhir/edge/roleGate.ts';
import { FHIR_JSON, FhirError } from '../../fhir/outcome.ts';
import { FHIR_XML, formatOf } from '../../fhir/format.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import type { DocumentRetrieval } from '../../xds/repository/retrieve.ts';
import { externalId } from '../../xds/registry/metadata.ts';
import { DocumentEntrySchemes } from '../../xds/registry/schemes.ts';
import { retrieveAudit } from '../audit.ts';
import { requesterOf } from '../http.ts';
import { sendMhdError } from '../outcome.ts';
import type { RegistryReads } from '../registryReads.ts';
import type { MhdDeps } from '../deps.ts';
import { MHD } from '../transactions.ts';
import { binaryResource } from './binaryResource.ts';
import { acceptOf, retrieveDocument } from './retrieveDocument.ts';

type Outcome = 0 | 4 | 8;

/** The blob opened for reading, or the FhirError that answers its absence (404) or unreadability (500). */
async function openBlob(file: string, size: number, id: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FhirError(404, 'not-found', `Binary/${id}: the document is registered but its content is not in the repository`);
    throw new FhirError(500, 'exception', `Binary/${id}: the document's content cannot be read`);
  }
  const stat = await fh.stat().catch(() => undefined);
  if (!stat?.isFile() || stat.size !== size) {
    await fh.close();
    throw new FhirError(500, 'exception', `Binary/${id}: the document's content in the repository is not the size registered`);
  }
  return fh;
}

export function iti68Route(deps: MhdDeps, reads: RegistryReads, retrieval: DocumentRetrieval): RequestHandler[] {
  const { audit, log } = deps;
  const tx = MHD['ITI-68'];
  const scoped = { store: deps.store, identity: deps.identity, decisions: deps.decisions };
  const recorder = (req: Request) => {
    const requester = requesterOf(req);
    return (outcome: Outcome, description?: string, patientId?: string, document?: { uniqueId: string; repositoryUniqueId: string }) =>
      audit.record(retrieveAudit(audit, tx, { requester, outcome, description, patientId, document })).catch((e: unknown) => log.error('mhd.iti68.audit-failed', { error: e instanceof Error ? e.message : String(e) }));
  };
  const gate = roleGate(deps, tx, async (req, reason) => void (await recorder(req)(4, reason)));

  const retrieve = async (req: Request, res: Response): Promise<void> => {
    const ctx = httpContext(req);
    const record = recorder(req);
    const id = String(req.params.id);
    let patientId: string | undefined;
    let fh: FileHandle;
    let answer: { wanted: 'document' | 'binary'; mimeType: string; size: number; doc: { uniqueId: string; repositoryUniqueId: string } };
    try {
      const found = await readScoped(scoped, ctx, tx.id, (reader) => retrieveDocument(reader, reads, retrieval, id));
      patientId = found.entry ? externalId(found.entry, DocumentEntrySchemes.patientId) : undefined;
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
      try {
        fh = await openBlob(document.file, document.size, id);
      } catch (e) {
        await record(e instanceof FhirError && e.status === 404 ? 4 : 8, e instanceof Error ? e.message : String(e), patientId, doc);
        if (e instanceof FhirError && e.status >= 500) log.error('mhd.iti68.unreadable', { file: document.file, error: e.message });
        throw e;
      }
      answer = { wanted, mimeType: document.mimeType, size: document.size, doc };
    } catch (e) {
      if (!(e instanceof FhirError)) {
        log.error('mhd.iti68.failed', { error: e instanceof Error ? e.message : String(e) });
        await record(8, e instanceof Error ? e.message : String(e), patientId);
      }
      sendMhdError(res, e);
      return;
    }

    // The answer has begun: from here its outcome is known when the response ends.
    let readError: Error | undefined;
    res.once('close', () => {
      const outcome: Outcome = readError ? 8 : res.writableFinished ? 0 : 4;
      const description = readError ? `the document could not be read to its end: ${readError.message}` : outcome === 4 ? 'the client closed the connection before the document was sent' : undefined;
      void record(outcome, description, patientId, answer.doc);
    });
    const source = fh.createReadStream();
    source.once('error', (e) => (readError = e));
    const done = (err: NodeJS.ErrnoException | null) => {
      if (!err) return;
      // A client that went away is no read failure (ERR_STREAM_PREMATURE_CLOSE); anything else is.
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        readError ??= err;
        log.error('mhd.iti68.read-failed', { error: err.message });
      }
      if (!res.headersSent && !res.destroyed) sendMhdError(res, new FhirError(500, 'exception', `Binary/${id}: the document's content cannot be read`));
    };
    if (answer.wanted === 'binary') {
      const format = formatOf(res);
      const body = binaryResource({ id, contentType: answer.mimeType, size: answer.size }, format);
      res.status(200).set({ 'Content-Type': format === 'xml' ? FHIR_XML : FHIR_JSON, 'Content-Length': String(body.length) });
      pipeline(source, body.transform, res, done);
    } else {
      res.status(200).set({ 'Content-Type': answer.mimeType, 'Content-Length': String(answer.size) });
      pipeline(source, res, done);
    }
  };
  return [gate, (req, res, next) => void retrieve(req, res).catch(next)];
}
