/**
 * ITI-18 parameter rules against the real server (ITI TF-2a 3.18.4.1.2.3): time ranges at every
 * precision (From inclusive, To exclusive; absent service times and On-Demand creation times not
 * judged), OR within a code slot and AND across repeated slots, authorPerson LIKE patterns, status
 * filters, $XDSDocumentEntryType, returnType ObjectRef, and the errors XDSStoredQueryParamNumber,
 * XDSStoredQueryMissingParam, XDSTooManyResults (a limit of 6 in config), XDSUnknownStoredQuery and
 * XDSResultNotSinglePatient. Every reply validates against the schemas.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { TestServer } from '../helpers/hieServer.ts';
import { XdsClient, errorCodes, expectSchemaValid, expectSuccess, leafClassProblems, pid, registerInProcess, ReplyLog, startXdsServer, STATUS } from '../helpers/xds.ts';
import { ON_DEMAND, STABLE, submitObjectsRequest, type DocSpec } from '../helpers/xdsMetadata.ts';
import { APPROVED, DEPRECATED, findDocuments, idsOf, QUERY, storedQuery, type ParamValue } from '../helpers/xdsQuery.ts';

const LOINC = '2.16.840.1.113883.6.1';
const EVENTS = '1.2.392.999.200';
const uuid = () => `urn:uuid:${randomUUID()}`;

describe('XDS.b ITI-18 parameter rules (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let c: XdsClient;
  const log = new ReplyLog();
  const ids: Record<string, string> = {};

  /** Registers one document per spec for a patient, each in a submission of its own; records its entryUUID under `name`. */
  async function register(patient: string, docs: Record<string, Partial<DocSpec>>): Promise<void> {
    for (const [name, spec] of Object.entries(docs)) {
      ids[name] = uuid();
      expectSuccess(log.add(await c.register(submitObjectsRequest({ patientId: pid(patient), docs: [{ id: ids[name], ...spec }] }))));
    }
  }

  before(async () => {
    ({ s, c } = await startXdsServer(['Q-TIME', 'Q-CODE', 'Q-AUTH', 'Q-STAT', 'Q-TYPE', 'Q-MANY', 'Q-OTHER'], { xds: { registry: { maxResults: 6 } } }));
    await register('Q-TIME', {
      full: { creationTime: '20230615123045', serviceStartTime: '20230615120000', serviceStopTime: '20230615130000' },
      year: { creationTime: '2022' },
    });
    await register('Q-CODE', {
      a: { classCode: ['c1', LOINC], eventCodes: [['e1', EVENTS], ['e2', EVENTS]] },
      b: { classCode: ['c2', LOINC], eventCodes: [['e1', EVENTS]] },
      c: { classCode: ['c1', LOINC], eventCodes: [['e3', EVENTS]] },
    });
    await register('Q-AUTH', { yamada: { author: '^山田^花子^^^' }, sato: { author: '^佐藤^一郎^^^' } });
    await register('Q-STAT', { old: {} });
    ids.replacement = uuid();
    expectSuccess(
      log.add(
        await c.register(
          submitObjectsRequest({
            patientId: pid('Q-STAT'),
            docs: [{ id: ids.replacement }],
            associations: [`<rim:Association id="${uuid()}" associationType="urn:ihe:iti:2007:AssociationType:RPLC" sourceObject="${ids.replacement}" targetObject="${ids.old}"/>`],
          }),
        ),
      ),
    );
    await register('Q-TYPE', { stable: { creationTime: '20200101' } });
    ids.onDemand = uuid();
    await registerInProcess(s, submitObjectsRequest({ patientId: pid('Q-TYPE'), docs: [{ id: ids.onDemand, objectType: ON_DEMAND, creationTime: '20240101' }] }, false), { onDemand: true });
    for (let i = 0; i < 7; i++) await register('Q-MANY', { [`many${i}`]: {} });
    await register('Q-OTHER', { other: {} });
  });
  after(async () => {
    await s?.stop();
  });

  const query = async (xml: string) => log.add(await c.query(xml));
  const found = async (patient: string, extra: Record<string, ParamValue> = {}) => {
    const r = await query(findDocuments(pid(patient), extra));
    expectSuccess(r);
    expect(leafClassProblems(r.body)).to.deep.equal([]);
    return idsOf(r);
  };
  const failsWith = async (xml: string, code: string) => {
    const r = await query(xml);
    expect(r.body.attrs.status, r.xml).to.equal(STATUS.failure);
    expect(errorCodes(r.body)).to.deep.equal([code]);
    expect(idsOf(r), 'no metadata with an error').to.deep.equal([]);
  };

  describe('time ranges: From <= time < To, values of any precision compared as instants', () => {
    // creationTime 20230615123045 against bounds at each precision: [From, To, found?]
    const cases: [string, string | undefined, string | undefined, boolean][] = [
      ['year', '2023', '2024', true],
      ['year, To excludes', undefined, '2023', false],
      ['month', '202306', '202307', true],
      ['day', '20230615', '20230616', true],
      ['day, From after', '20230616', undefined, false],
      ['hour', '2023061512', '2023061513', true],
      ['minute', '202306151230', '202306151231', true],
      ['second', '20230615123045', '20230615123046', true],
      ['second, To equal is excluded', undefined, '20230615123045', false],
      ['second, From one second later', '20230615123046', undefined, false],
    ];
    for (const [label, from, to, hit] of cases) {
      it(`creationTime ${label}: From ${from ?? '-'} To ${to ?? '-'} ${hit ? 'finds' : 'does not find'} it`, async () => {
        const params: Record<string, ParamValue> = {};
        if (from) params.$XDSDocumentEntryCreationTimeFrom = Number(from);
        if (to) params.$XDSDocumentEntryCreationTimeTo = Number(to);
        expect((await found('Q-TIME', params)).includes(ids.full)).to.equal(hit);
      });
    }

    it('a stored value of year precision is the start of that year', async () => {
      expect(await found('Q-TIME', { $XDSDocumentEntryCreationTimeFrom: 2022, $XDSDocumentEntryCreationTimeTo: 2023 })).to.deep.equal([ids.year]);
      expect(await found('Q-TIME', { $XDSDocumentEntryCreationTimeFrom: '202201', $XDSDocumentEntryCreationTimeTo: '202202' })).to.deep.equal([ids.year]);
      expect(await found('Q-TIME', { $XDSDocumentEntryCreationTimeFrom: '202202', $XDSDocumentEntryCreationTimeTo: '2023' })).to.deep.equal([]);
    });

    it('service start/stop times filter the entries that have them; entries without them are not judged by them (3.18.4.1.2.3.3.1)', async () => {
      expect(await found('Q-TIME', { $XDSDocumentEntryServiceStartTimeFrom: 2024 })).to.deep.equal([ids.year]);
      expect((await found('Q-TIME', { $XDSDocumentEntryServiceStartTimeFrom: 2023, $XDSDocumentEntryServiceStopTimeTo: 20230616 })).sort()).to.deep.equal([ids.full, ids.year].sort());
      expect(await found('Q-TIME', { $XDSDocumentEntryServiceStopTimeTo: 2023061513 })).to.deep.equal([ids.year]);
    });
  });

  describe('codes: OR within a slot, AND across repeated slots', () => {
    const code = (c: string, scheme: string) => `${c}^^${scheme}`;
    it('one slot of class codes is an OR', async () => {
      expect((await found('Q-CODE', { $XDSDocumentEntryClassCode: [code('c1', LOINC), code('c2', LOINC)] })).sort()).to.deep.equal([ids.a, ids.b, ids.c].sort());
      expect(await found('Q-CODE', { $XDSDocumentEntryClassCode: [code('c2', LOINC)] })).to.deep.equal([ids.b]);
      // The code matches with its scheme only.
      expect(await found('Q-CODE', { $XDSDocumentEntryClassCode: [code('c2', '9.9.9')] })).to.deep.equal([]);
    });
    it('event codes: one slot OR, repeated slots AND, (a OR b) AND c', async () => {
      expect((await found('Q-CODE', { $XDSDocumentEntryEventCodeList: [code('e1', EVENTS), code('e3', EVENTS)] })).sort()).to.deep.equal([ids.a, ids.b, ids.c].sort());
      expect(await found('Q-CODE', { $XDSDocumentEntryEventCodeList: [[code('e1', EVENTS)], [code('e2', EVENTS)]] })).to.deep.equal([ids.a]);
      expect(await found('Q-CODE', { $XDSDocumentEntryEventCodeList: [[code('e2', EVENTS), code('e3', EVENTS)], [code('e1', EVENTS)]] })).to.deep.equal([ids.a]);
    });
    it('several code parameters AND together', async () => {
      expect(await found('Q-CODE', { $XDSDocumentEntryClassCode: [code('c1', LOINC)], $XDSDocumentEntryEventCodeList: [code('e3', EVENTS)] })).to.deep.equal([ids.c]);
    });
    it('a code not coded code^^scheme is XDSRegistryError', async () => {
      await failsWith(findDocuments(pid('Q-CODE'), { $XDSDocumentEntryClassCode: ['c1'] }), 'XDSRegistryError');
    });
  });

  describe('authorPerson: SQL LIKE patterns, % and _', () => {
    it('% matches any run, _ one character, several values OR', async () => {
      expect(await found('Q-AUTH', { $XDSDocumentEntryAuthorPerson: ['%山田%'] })).to.deep.equal([ids.yamada]);
      expect(await found('Q-AUTH', { $XDSDocumentEntryAuthorPerson: ['^佐藤_一郎%'] })).to.deep.equal([ids.sato]);
      expect((await found('Q-AUTH', { $XDSDocumentEntryAuthorPerson: ['%山田%', '%佐藤%'] })).sort()).to.deep.equal([ids.yamada, ids.sato].sort());
      expect(await found('Q-AUTH', { $XDSDocumentEntryAuthorPerson: ['^佐藤^一郎^^^'] })).to.deep.equal([ids.sato]);
      expect(await found('Q-AUTH', { $XDSDocumentEntryAuthorPerson: ['%鈴木%'] })).to.deep.equal([]);
    });
  });

  describe('status filters', () => {
    it('Approved, Deprecated, or both; a value not understood is ignored; none understood is XDSStoredQueryMissingParam', async () => {
      expect(await found('Q-STAT', { $XDSDocumentEntryStatus: [APPROVED] })).to.deep.equal([ids.replacement]);
      expect(await found('Q-STAT', { $XDSDocumentEntryStatus: [DEPRECATED] })).to.deep.equal([ids.old]);
      expect((await found('Q-STAT', { $XDSDocumentEntryStatus: [APPROVED, DEPRECATED] })).sort()).to.deep.equal([ids.old, ids.replacement].sort());
      expect(await found('Q-STAT', { $XDSDocumentEntryStatus: [DEPRECATED, 'urn:example:NoSuchStatus'] })).to.deep.equal([ids.old]);
      await failsWith(findDocuments(pid('Q-STAT'), { $XDSDocumentEntryStatus: ['urn:example:NoSuchStatus'] }), 'XDSStoredQueryMissingParam');
    });
  });

  describe('$XDSDocumentEntryType', () => {
    it('Stable by default; On-Demand when asked; both when both are given', async () => {
      expect(await found('Q-TYPE')).to.deep.equal([ids.stable]);
      expect(await found('Q-TYPE', { $XDSDocumentEntryType: [ON_DEMAND] })).to.deep.equal([ids.onDemand]);
      expect((await found('Q-TYPE', { $XDSDocumentEntryType: [STABLE, ON_DEMAND] })).sort()).to.deep.equal([ids.stable, ids.onDemand].sort());
    });
    it('creationTime bounds do not judge On-Demand entries (3.18.4.1.2.3.7.1 note 6)', async () => {
      const both = { $XDSDocumentEntryType: [STABLE, ON_DEMAND] };
      expect(await found('Q-TYPE', { ...both, $XDSDocumentEntryCreationTimeFrom: 2030 })).to.deep.equal([ids.onDemand]);
    });
  });

  describe('errors', () => {
    it('XDSStoredQueryParamNumber: two values of a single-valued parameter, or both entryUUID and uniqueId', async () => {
      await failsWith(storedQuery(QUERY.FindDocuments, { $XDSDocumentEntryPatientId: [pid('Q-CODE'), pid('Q-AUTH')], $XDSDocumentEntryStatus: [APPROVED] }), 'XDSStoredQueryParamNumber');
      await failsWith(storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryEntryUUID: [ids.a], $XDSDocumentEntryUniqueId: ['1.2.3'] }), 'XDSStoredQueryParamNumber');
    });
    it('XDSStoredQueryMissingParam: a required parameter absent', async () => {
      await failsWith(storedQuery(QUERY.FindDocuments, { $XDSDocumentEntryStatus: [APPROVED] }), 'XDSStoredQueryMissingParam');
      await failsWith(storedQuery(QUERY.FindDocuments, { $XDSDocumentEntryPatientId: pid('Q-CODE') }), 'XDSStoredQueryMissingParam');
      await failsWith(storedQuery(QUERY.GetDocuments, {}), 'XDSStoredQueryMissingParam');
    });
    it('XDSTooManyResults beyond the configured limit (6), with LeafClass and ObjectRef alike; at the limit the objects come', async () => {
      await failsWith(findDocuments(pid('Q-MANY')), 'XDSTooManyResults');
      await failsWith(findDocuments(pid('Q-MANY'), {}, 'ObjectRef'), 'XDSTooManyResults');
      const many = Object.keys(ids).filter((k) => k.startsWith('many')).slice(0, 6).map((k) => ids[k]);
      expect(idsOf(await query(storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryEntryUUID: many })))).to.have.length(6);
    });
    it('XDSRegistryError at the parameter beyond xds.registry.maxQueryValues, whatever the count and however the values come', async () => {
      const uuids = (n: number) => Array.from({ length: n }, (_, i) => `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      expectSuccess(await query(storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryEntryUUID: [...uuids(999), ids.a] })));
      for (const n of [1001, 50_000, 100_000]) {
        const r = await query(storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryEntryUUID: uuids(n) }));
        expect(errorCodes(r.body), `${n} values`).to.deep.equal(['XDSRegistryError']);
        expect(r.xml).to.contain('location="$XDSDocumentEntryEntryUUID"').and.to.contain('more than 1000 values');
      }
      // One Value element each, and slots repeated: counted together.
      const values = uuids(100_000).map((u) => `<rim:Value>'${u}'</rim:Value>`).join('');
      const oneEach = storedQuery(QUERY.GetDocuments, {}).replace('</rim:AdhocQuery>', `<rim:Slot name="$XDSDocumentEntryEntryUUID"><rim:ValueList>${values}</rim:ValueList></rim:Slot></rim:AdhocQuery>`);
      expect(errorCodes((await query(oneEach)).body)).to.deep.equal(['XDSRegistryError']);
      await failsWith(storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryEntryUUID: [uuids(600), uuids(600)] }), 'XDSRegistryError');
    });
    it('XDSUnknownStoredQuery for a query id the registry does not know', async () => {
      await failsWith(storedQuery('urn:uuid:00000000-0000-4000-8000-000000000000', { $XDSDocumentEntryPatientId: pid('Q-CODE') }), 'XDSUnknownStoredQuery');
    });
    it('XDSResultNotSinglePatient: GetDocuments LeafClass over two patients; ObjectRef answers', async () => {
      await failsWith(storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryEntryUUID: [ids.a, ids.other] }), 'XDSResultNotSinglePatient');
      const refs = await query(storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryEntryUUID: [ids.a, ids.other] }, 'ObjectRef'));
      expectSuccess(refs);
      expect(idsOf(refs).sort()).to.deep.equal([ids.a, ids.other].sort());
    });
  });

  describe('returnType ObjectRef', () => {
    it('answers references only, the same objects as LeafClass', async () => {
      const r = await query(findDocuments(pid('Q-CODE'), {}, 'ObjectRef'));
      expectSuccess(r);
      const list = r.body.children.find((x) => x.local === 'RegistryObjectList')!.children;
      expect(list.every((x) => x.local === 'ObjectRef')).to.equal(true);
      expect(idsOf(r).sort()).to.deep.equal((await found('Q-CODE')).sort());
    });
  });

  describe('every reply', () => {
    it('validates against the SOAP 1.2, WS-Addressing, ebRIM and query schemas', () => {
      expectSchemaValid(log.xmls);
    });
  });
});
