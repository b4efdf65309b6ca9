import { expect } from 'chai';
import { FhirError } from '../../fhir/outcome.ts';
import { PatientReferences } from '../mapping/patientReference.ts';
import { QueryIds } from '../registryReads.ts';
import { iti67Query } from './findDocumentReferences.ts';

const patients = new PatientReferences('1.2.3.7');
const q = (s: string, lenient = false) => iti67Query(new URLSearchParams(s), { patients, lenient, maxCount: 1000 });
const slots = (s: string) => Object.fromEntries(q(s).parameters.map((p) => [p.name, p.values[0]]));

describe('ITI-67 search parameters as FindDocuments parameters (Table 2:3.67.4.1.3.1-1)', () => {
  const base = 'patient=Patient/P1&status=current';

  it('maps the patient (reference or identifier) and the status', () => {
    expect(slots(base)).to.deep.equal({ $XDSDocumentEntryPatientId: "'P1^^^&1.2.3.7&ISO'", $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')" });
    expect(slots('patient.identifier=urn:oid:1.2.3.7|P1&status=current,superseded').$XDSDocumentEntryStatus).to.equal(
      "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved','urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated')",
    );
    expect(q(base).queryId).to.equal(QueryIds.findDocuments);
  });

  it('maps dates to From (ge) and To (lt) bounds in UTC; period as the overlapped interval', () => {
    const s = slots(`${base}&creation=ge2024-01-01&creation=lt2024-02-01T09:00:00%2B09:00&period=ge2024-03&period=le2024-03-31`);
    expect(s).to.deep.include({
      $XDSDocumentEntryCreationTimeFrom: '20240101000000',
      $XDSDocumentEntryCreationTimeTo: '20240201000000',
      $XDSDocumentEntryServiceStopTimeFrom: '20240301000000',
      $XDSDocumentEntryServiceStartTimeTo: '20240401000000',
    });
    expect(slots(`${base}&creation=2024-01-02`)).to.deep.include({ $XDSDocumentEntryCreationTimeFrom: '20240102000000', $XDSDocumentEntryCreationTimeTo: '20240103000000' });
  });

  it('maps tokens as code^^scheme: alternatives OR, repeats AND (event, security-label) or intersect (one-valued codes)', () => {
    const p = q(`${base}&category=http://loinc.org|A,urn:oid:1.2.9|B&category=urn:oid:1.2.9|B&event=urn:oid:1.2|E1&event=urn:oid:1.2|E2&security-label=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|N`).parameters;
    expect(p.filter((x) => x.name === '$XDSDocumentEntryClassCode').map((x) => x.values[0])).to.deep.equal(["('B^^1.2.9')"]);
    expect(p.filter((x) => x.name === '$XDSDocumentEntryEventCodeList').map((x) => x.values[0])).to.deep.equal(["('E1^^1.2')", "('E2^^1.2')"]);
    expect(p.find((x) => x.name === '$XDSDocumentEntryConfidentialityCode')!.values[0]).to.equal("('N^^2.16.840.1.113883.5.25')");
    expect(slots(`${base}&category=http://loinc.org|A`).$XDSDocumentEntryClassCode).to.equal("('A^^2.16.840.1.113883.6.1')");
  });

  it('maps author names to authorPerson patterns; related to FindDocumentsByReferenceId under every CXi type', () => {
    expect(slots(`${base}&author.family=Welby&author.given=Marcus`).$XDSDocumentEntryAuthorPerson).to.equal("('%^Welby%^Marcus%')");
    const r = q(`${base}&related=urn:oid:1.2.5|ORD-1`);
    expect(r.queryId).to.equal(QueryIds.findDocumentsByReferenceId);
    expect(r.parameters.find((x) => x.name === '$XDSDocumentEntryReferenceIdList')!.values[0]).to.contain("'ORD-1^^^&1.2.5&ISO'").and.contain("'ORD-1^^^&1.2.5&ISO^urn:ihe:iti:xds:2013:order'");
  });

  it('refuses what it cannot map: 400, unless lenient for parameters it does not support', () => {
    for (const bad of ['status=current', 'patient=Patient/P1', `${base}&category=A`, `${base}&creation=ap2024`, `${base}&foo=1`, `${base}&_count=0`, 'patient=Practitioner/1&status=current', `${base}&patient.identifier=x|1`]) {
      expect(() => q(bad), bad).to.throw(FhirError);
    }
    expect(q(`${base}&foo=1`, true).parameters).to.have.length(2);
    expect(() => q(`${base}&_format=ttl`)).to.throw(FhirError).with.property('status', 406);
    expect(q(`${base}&_count=5&_page=10`).paging).to.deep.equal({ count: 5, offset: 10, ignored: [] });
    expect(q(`${base}&foo=1`, true).paging.ignored).to.deep.equal(['foo']);
  });
});
