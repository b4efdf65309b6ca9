/**
 * Every read path of the server driven in process, as the protocol edges hand requests over, for a
 * requester given as a request context: ITI-18 (any stored query), ITI-43, ITI-9 and ITI-21, built
 * on a read fixture's store, services and access decisions. What each returns is the response as
 * it goes on the wire (SOAP body XML, HL7 segments), so that tests look at every byte.
 */
import type { RequestContext } from '../../src/kernel/requestContext.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { iti9Transaction } from '../../src/pix/iti9/transaction.ts';
import { iti21Transactions } from '../../src/pdq/iti21/transaction.ts';
import { iti18Transaction } from '../../src/xds/iti18/transaction.ts';
import { iti43Transaction } from '../../src/xds/iti43/transaction.ts';
import { RepositoryService } from '../../src/xds/repository/service.ts';
import { pdqQuery, pixQuery } from './messages.ts';
import { hl7Request, REPOSITORY, soapRequest, type ReadFixture } from './readFixture.ts';
import { ACTIONS, retrieveRequest } from './xds.ts';
import { storedQuery, type ParamValue } from './xdsQuery.ts';
import type { ResponseSpec } from '../../src/hl7v2/ack.ts';

export interface ReadPaths {
  iti18(ctx: RequestContext, queryId: string, params: Record<string, ParamValue>): Promise<string>;
  iti43(ctx: RequestContext, documentUniqueIds: string[]): Promise<{ xml: string; attachments: number }>;
  /** ITI-9 for one identifier (CX), all domains. */
  iti9(ctx: RequestContext, cx: string): Promise<ResponseSpec>;
  /** ITI-21 by family name, all domains. */
  iti21(ctx: RequestContext, family: string): Promise<ResponseSpec>;
}

export function readPaths(f: ReadFixture, maxResults = 100): ReadPaths {
  const reads = { store: f.store, identity: f.identity, decisions: f.access };
  const t18 = iti18Transaction({ ...reads, registry: f.registry, audit: f.audit, log: silentLogger, maxResults, maxQueryValues: 1000 });
  const repository = new RepositoryService({ repositoryUniqueId: REPOSITORY }, f.store, f.blobs);
  const t43 = iti43Transaction({ ...reads, repository, registry: f.registry, audit: f.audit, log: silentLogger });
  const t9 = iti9Transaction({ ...reads, audit: f.audit });
  const [t21] = iti21Transactions({ ...reads, audit: f.audit, config: f.config.pdq });
  return {
    async iti18(ctx, queryId, params) {
      return (await t18.handle(soapRequest(ACTIONS.iti18, storedQuery(queryId, params), ctx))).bodyXml;
    },
    async iti43(ctx, uids) {
      const r = await t43.handle(soapRequest(ACTIONS.iti43, retrieveRequest(uids.map((documentUniqueId) => ({ repositoryUniqueId: REPOSITORY, documentUniqueId }))), ctx));
      return { xml: r.bodyXml, attachments: r.attachments?.length ?? 0 };
    },
    iti9: (ctx, cx) => t9.handle(hl7Request(pixQuery({ key: cx }), ctx)),
    iti21: (ctx, family) => t21.handle(hl7Request(pdqQuery({ params: [`@PID.5.1^${family}`] }), ctx)),
  };
}
