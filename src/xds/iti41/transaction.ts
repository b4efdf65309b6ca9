/**
 * ITI-41 Provide and Register Document Set-b at the Document Repository (ITI TF-2b 3.41): an
 * xdsb:ProvideAndRegisterDocumentSetRequest whose documents come inline (base64) or as XOP
 * attachments, stored and registered whole or not at all, audited as an Import.
 */
import type { AuditService } from '../../audit/auditService.ts';
import { EbxmlDecodeError } from '../../ebxml/decode.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { contentIdOfHref } from '../../soap/mtom.ts';
import { NS } from '../../soap/namespaces.ts';
import { childOf, childrenOf } from '../../xml/parse.ts';
import { submissionSetObject, xdsAudit, xdsRequestAudit } from '../audit.ts';
import { submitObjectsOf } from '../iti42/transaction.ts';
import { ErrorCollector } from '../registry/errors.ts';
import { summarize, type RegistryService } from '../registry/service.ts';
import type { RemoteRegistry } from '../repository/remoteRegistry.ts';
import type { ProvidedDocument, RepositoryService } from '../repository/service.ts';
import { errorsOf, expectBody, registryResponseBody } from '../submission.ts';
import { XDS } from '../transactions.ts';

export interface RepositoryDeps {
  repository: RepositoryService;
  registry: RegistryService;
  /** When set (xds.repository.registryUrl), ITI-41 registers there over ITI-42 instead of in process. */
  remoteRegistry?: RemoteRegistry;
  audit: AuditService;
  log: Logger;
}

/** The documents of the request: inline base64 or xop:Include of an attachment (W3C XOP 1.0 3.1). */
function documentsOf(req: SoapRequest): ProvidedDocument[] {
  const ec = new ErrorCollector();
  const out: ProvidedDocument[] = [];
  const used = new Set<string>();
  for (const d of childrenOf(req.body, NS.xdsb, 'Document')) {
    const id = d.attrs.id?.trim() ?? '';
    const include = childOf(d, NS.xop, 'Include');
    if (include) {
      const cid = contentIdOfHref(include.attrs.href ?? '');
      const part = cid !== undefined ? req.parts.get(cid) : undefined;
      if (!part) {
        ec.add('XDSMissingDocument', `Document ${id}: xop:Include ${include.attrs.href ?? ''} names no attachment of the package`, id);
        continue;
      }
      used.add(part.contentId);
      out.push({ id, source: part.file ? { file: part.file, sha1: part.sha1!, size: part.size } : { data: part.data! } });
    } else {
      const text = d.text.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) ec.add('XDSRepositoryMetadataError', `Document ${id}: the content is not base64`, id);
      out.push({ id, source: { data: Buffer.from(text, 'base64') } });
    }
  }
  for (const p of req.parts.values()) {
    if (!used.has(p.contentId)) ec.add('XDSMissingDocumentMetadata', `MIME part <${p.contentId}> is not referenced by any Document`, p.contentId);
  }
  ec.throwIfAny();
  return out;
}

export function iti41Transaction(deps: RepositoryDeps): SoapTransaction {
  const d = XDS['ITI-41'];
  return {
    ...d,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.xdsb, 'ProvideAndRegisterDocumentSetRequest', d.id);
      let summary: ReturnType<typeof summarize> = { documents: [] };
      const audit = (outcome: 0 | 4 | 8, description?: string) =>
        xdsAudit(deps.audit, {
          tx: d,
          req,
          outcome,
          outcomeDescription: description,
          patientId: summary.patientId,
          objects: summary.submissionSetUniqueId ? [submissionSetObject(summary.submissionSetUniqueId)] : [],
        });
      try {
        const sor = childOf(req.body, NS.lcm, 'SubmitObjectsRequest');
        if (!sor) throw new EbxmlDecodeError('ProvideAndRegisterDocumentSetRequest without an lcm:SubmitObjectsRequest', 'SubmitObjectsRequest');
        const objects = submitObjectsOf(sor);
        summary = summarize(objects);
        const documents = documentsOf(req);
        const remote = deps.remoteRegistry;
        const outcome = remote
          ? await deps.repository.provideAndRegisterRemote(objects, documents, (o) => remote.register(o), async (tx, result) => {
              // The repository's own ITI-42 as a sender (ITI TF-2b 3.42.5.1.1), then ITI-41 when it worked.
              const failed = 'error' in result ? errorsOf(result.error) : undefined;
              await deps.audit.recordIn(
                tx,
                xdsRequestAudit(deps.audit, {
                  tx: XDS['ITI-42'],
                  endpoint: remote.cfg.url,
                  outcome: failed ? (failed.errors.some((x) => x.errorCode === 'XDSRegistryNotAvailable') ? 8 : 4) : 0,
                  outcomeDescription: failed?.errors.map((x) => x.errorCode).join(' '),
                  patientId: summary.patientId,
                  objects: summary.submissionSetUniqueId ? [submissionSetObject(summary.submissionSetUniqueId)] : [],
                }),
              );
              if (!failed) await deps.audit.recordIn(tx, audit(0));
            })
          : await deps.repository.provideAndRegister(
              objects,
              documents,
              (tx, o) => deps.registry.register(tx, o, { owned: true }),
              (tx) => deps.audit.recordIn(tx, audit(0)),
            );
        return { bodyXml: registryResponseBody(outcome.warnings) };
      } catch (e) {
        const { errors, internal } = errorsOf(e, 'XDSRepositoryError');
        if (internal) deps.log.error('xds.iti41.error', { error: e instanceof Error ? e.message : String(e) });
        await deps.audit.record(audit(internal ? 8 : 4, errors.map((x) => x.errorCode).join(' ')));
        return { bodyXml: registryResponseBody(errors) };
      }
    },
  };
}
