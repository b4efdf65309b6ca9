/**
 * ITI-41 Provide and Register Document Set-b at the Document Repository (ITI TF-2b 3.41): an
 * xdsb:ProvideAndRegisterDocumentSetRequest whose documents come inline (base64) or as XOP
 * attachments, decoded here and handed to the use case (repository/provideAndRegister.ts), which
 * checks node authorization, stores and registers whole or not at all, and audits; its outcome is
 * answered as a RegistryResponse.
 */
import type { AuditService } from '../../audit/auditService.ts';
import { EbxmlDecodeError } from '../../ebxml/decode.ts';
import type { Identifiable } from '../../ebxml/rim.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { contentIdOfHref } from '../../soap/mtom.ts';
import { NS } from '../../soap/namespaces.ts';
import { childOf, childrenOf } from '../../xml/parse.ts';
import { submitObjectsOf } from '../iti42/transaction.ts';
import { ErrorCollector } from '../registry/errors.ts';
import { summarize, type RegistryService } from '../registry/service.ts';
import { ProvideAndRegister, type ProvideAndRegisterOutcome } from './provideAndRegister.ts';
import type { RemoteRegistry } from '../repository/remoteRegistry.ts';
import type { ProvidedDocument, RepositoryService } from '../repository/service.ts';
import { expectBody, registryResponseBody } from '../submission.ts';
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
  const useCase = new ProvideAndRegister(deps);
  return {
    ...d,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.xdsb, 'ProvideAndRegisterDocumentSetRequest', d.id);
      let objects: Identifiable[] | undefined;
      let outcome: ProvideAndRegisterOutcome;
      try {
        const sor = childOf(req.body, NS.lcm, 'SubmitObjectsRequest');
        if (!sor) throw new EbxmlDecodeError('ProvideAndRegisterDocumentSetRequest without an lcm:SubmitObjectsRequest', 'SubmitObjectsRequest');
        objects = submitObjectsOf(sor);
        outcome = await useCase.run(req, { objects, documents: documentsOf(req) });
      } catch (e) {
        // The package could not be read: answered and audited as the use case would.
        outcome = await useCase.failed(req, e, objects ? summarize(objects) : undefined);
      }
      if (outcome.status === 'success') return { bodyXml: registryResponseBody(outcome.warnings) };
      if (outcome.internalError !== undefined) deps.log.error('xds.iti41.error', { error: outcome.internalError instanceof Error ? outcome.internalError.message : String(outcome.internalError) });
      return { bodyXml: registryResponseBody(outcome.errors) };
    },
  };
}
