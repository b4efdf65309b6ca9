import { expect } from 'chai';
import { affinityPid, HOSP_A, readFixture, soapRequest, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { ACTIONS } from '../../../test/helpers/xds.ts';
import { findDocuments, QUERY, storedQuery } from '../../../test/helpers/xdsQuery.ts';
import { silentLogger } from '../../kernel/logger.ts';
import { iti18Transaction } from './transaction.ts';

describe('ITI-18 Registry Stored Query (the transaction over the stored-query service)', () => {
  let f: ReadFixture;
  let person: number;
  let query: (bodyXml: string) => Promise<string>;
  let hidden: { uniqueId: string; uuid: string; hash: string };
  before(async () => {
    f = await readFixture();
    person = await f.patient('Q18-1');
    const spec = await f.submit({ patientId: affinityPid('Q18-1'), docs: [{}, {}] }, HOSP_A.oid);
    const e = await f.entry(spec.docs[0].uniqueId!);
    hidden = { uniqueId: e.uniqueId!, uuid: e.uuid, hash: e.hash! };
    const t = iti18Transaction({ store: f.store, registry: f.registry, audit: f.audit, log: silentLogger, maxResults: 1, maxQueryValues: 1000, decisions: f.decisions, identity: f.identity });
    query = async (bodyXml) => (await t.handle(soapRequest(ACTIONS.iti18, bodyXml))).bodyXml;
  });
  afterEach(() => {
    f.decisions.hiddenDocuments.clear();
    f.decisions.hiddenPatients.clear();
  });
  after(() => f?.close());

  it('counts only what the requester may see: XDSTooManyResults at two visible, none with one withheld', async () => {
    expect(await query(findDocuments(affinityPid('Q18-1')))).to.contain('XDSTooManyResults');
    f.decisions.hiddenDocuments.add(hidden.uniqueId);
    const xml = await query(findDocuments(affinityPid('Q18-1')));
    expect(xml).to.contain('ResponseStatusType:Success').and.to.contain('ExtrinsicObject');
    for (const s of Object.values(hidden)) expect(xml).to.not.contain(s);
  });

  it('answers a hidden patient byte for byte as an unknown one', async () => {
    f.decisions.hiddenPatients.add(person);
    const a = await query(findDocuments(affinityPid('Q18-1')));
    const b = await query(findDocuments(affinityPid('Q18-404')));
    expect(a).to.equal(b);
    expect(a).to.contain('ResponseStatusType:Success');
  });

  it('answers an unknown stored query with XDSUnknownStoredQuery', async () => {
    expect(await query(storedQuery('urn:uuid:00000000-0000-0000-0000-000000000000', {}))).to.contain('XDSUnknownStoredQuery');
    expect(await query(storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryUniqueId: [hidden.uniqueId] }))).to.contain(hidden.uuid);
  });
});
