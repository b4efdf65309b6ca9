import { expect } from 'chai';
import { FhirError } from '../../fhir/outcome.ts';
import { IndividualNumberDomain } from '../../identity/individualNumber/domain.ts';
import { dateRange } from '../../fhir/dateRange.ts';
import { parseIti81, writeCursor } from './searchParameters.ts';

const parse = (q: string, lenient = false) => parseIti81(new URLSearchParams(q), { pageSize: 100, maxPageSize: 1000, lenient });

describe('ITI-81 search parameters', () => {
  it('reads a date at its precision, as the instants it covers; no zone is UTC', () => {
    expect(dateRange('2024')).to.deep.equal(['2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z']);
    expect(dateRange('2024-02')).to.deep.equal(['2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
    expect(dateRange('2024-12-31')).to.deep.equal(['2024-12-31T00:00:00.000Z', '2025-01-01T00:00:00.000Z']);
    expect(dateRange('2024-04-01T09:30+09:00')).to.deep.equal(['2024-04-01T00:30:00.000Z', '2024-04-01T00:31:00.000Z']);
    expect(dateRange('2024-04-01T09:30:15Z')).to.deep.equal(['2024-04-01T09:30:15.000Z', '2024-04-01T09:30:16.000Z']);
    expect(dateRange('2024-04-01T09:30:15.5-01:00')).to.deep.equal(['2024-04-01T10:30:15.500Z', '2024-04-01T10:30:15.501Z']);
    for (const bad of ['24', '2024-13', '2024-04-01T09', 'yesterday']) expect(() => dateRange(bad), bad).to.throw(FhirError);
  });

  it('turns prefixes into bounds on the event time', () => {
    expect(parse('date=2024-04-01').search.time).to.deep.equal([
      { op: 'ge', instant: '2024-04-01T00:00:00.000Z' },
      { op: 'lt', instant: '2024-04-02T00:00:00.000Z' },
    ]);
    expect(parse('date=ge2024&date=le2024-06').search.time).to.deep.equal([
      { op: 'ge', instant: '2024-01-01T00:00:00.000Z' },
      { op: 'lt', instant: '2024-07-01T00:00:00.000Z' },
    ]);
    expect(parse('date=gt2024-04-01').search.time).to.deep.equal([{ op: 'ge', instant: '2024-04-02T00:00:00.000Z' }]);
    expect(parse('date=lt2024-04-01').search.time).to.deep.equal([{ op: 'lt', instant: '2024-04-01T00:00:00.000Z' }]);
    for (const q of ['date=ne2024', 'date=ap2024', 'date=2024,2025']) expect(() => parse(q), q).to.throw(FhirError);
  });

  it('reads tokens, patient identifiers, alternatives and repetitions', () => {
    const q = parse('type=http://dicom.nema.org/resources/ontology/DCM|110112,110110&subtype=ITI-9&subtype=|ITI-21&outcome=0,4&entity-type=2&entity-role=24&source=Device/EHR_A&address=10.0.0.1&agent-name=HOSP_A|EHR');
    expect(q.search).to.deep.include({
      eventId: [['110112', '110110']],
      eventTypeCode: [['ITI-9'], ['ITI-21']],
      outcome: [[0, 4]],
      objectType: [[2]],
      objectRole: [[24]],
      sourceId: [['EHR_A']],
      address: [['10.0.0.1']],
      agent: [['HOSP_A|EHR']],
    });
    const p = parse('patient.identifier=urn:oid:1.2.3|A1,HOSP_B|B1,C1');
    expect(p.search.patient).to.deep.equal([[{ value: 'A1', oid: '1.2.3' }, { value: 'B1', namespace: 'HOSP_B' }, { value: 'C1' }]]);
    expect(p.patients).to.have.length(3);
  });

  it('pages: _count capped, _sort, a cursor of this server only', () => {
    const q = parse(`_count=5000&_sort=date&_page=${writeCursor({ eventTime: '2024-01-01T00:00:00.000Z', id: 7 })}`);
    expect(q.search).to.deep.include({ limit: 1000, sort: 'date', after: { eventTime: '2024-01-01T00:00:00.000Z', id: 7 } });
    expect(parse('').search).to.deep.include({ limit: 100, sort: '-date' });
    expect(parse('_total=none').total).to.equal(false);
    for (const bad of ['_count=0', '_count=x', '_sort=outcome', '_page=AAAA', '_total=maybe', '_format=ttl']) expect(() => parse(bad), bad).to.throw(FhirError);
  });

  it('refuses a parameter it does not support, unless asked to be lenient', () => {
    expect(() => parse('policy=x')).to.throw(FhirError, /policy is not supported/);
    expect(parse('policy=x', true).search.limit).to.equal(100);
    expect(() => parse('outcome=99')).to.throw(FhirError);
    expect(() => parse('address=')).to.throw(FhirError);
  });
});

describe('ITI-81 searches for an individual number', () => {
  const domain = new IndividualNumberDomain({ namespace: 'MYNUMBER', oid: '2.999.392.1.9', authorities: [], typeCodes: ['MN'] });
  const parseMn = (q: string) => parseIti81(new URLSearchParams(q), { pageSize: 100, maxPageSize: 1000, lenient: false, individualNumber: domain });

  it('refuses patient.identifier (or any parameter) naming the domain, without repeating the number', () => {
    for (const q of ['patient.identifier=urn:oid:2.999.392.1.9|123456789018', 'patient.identifier=URN:OID:2.999.392.1.9|123456789018', 'patient.identifier=MYNUMBER|123456789018', 'entity=123456789018^^^%262.999.392.1.9%26ISO']) {
      expect(() => parseMn(q), q).to.throw(FhirError, /individual-number domain/);
      try {
        parseMn(q);
      } catch (e) {
        expect((e as Error).message).to.not.contain('123456789018');
      }
    }
    expect(parseMn('patient.identifier=urn:oid:1.2.3|123456789018').patients).to.have.length(1);
  });
});
