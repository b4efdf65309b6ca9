import { expect } from 'chai';
import { FhirError } from '../../fhir/outcome.ts';
import { PatientReferences } from '../mapping/patientReference.ts';
import { QueryIds } from '../registryReads.ts';
import { iti66Query } from './findLists.ts';

const patients = new PatientReferences('1.2.3.7');
const q = (s: string) => iti66Query(new URLSearchParams(s), { patients, lenient: false, maxCount: 1000 });
const names = (p: { name: string }[]) => p.map((x) => x.name);

describe('ITI-66 search parameters as FindSubmissionSets and FindFolders parameters (Tables 2:3.66.4.1.3.1-1, -2)', () => {
  it('runs FindSubmissionSets for submissionset with its parameters', () => {
    const r = q('patient=Patient/P1&status=current&code=submissionset&date=ge2024&designationType=http://loinc.org|18748-4&sourceId=urn:oid:1.2.9&source.family=Welby');
    expect(r.queries).to.have.length(1);
    expect(r.queries[0].queryId).to.equal(QueryIds.findSubmissionSets);
    expect(names(r.queries[0].parameters)).to.deep.equal([
      '$XDSSubmissionSetPatientId',
      '$XDSSubmissionSetStatus',
      '$XDSSubmissionSetSubmissionTimeFrom',
      '$XDSSubmissionSetContentType',
      '$XDSSubmissionSetSourceId',
      '$XDSSubmissionSetAuthorPerson',
    ]);
    expect(r.queries[0].parameters.find((p) => p.name === '$XDSSubmissionSetSourceId')!.values[0]).to.equal("('1.2.9')");
  });

  it('runs FindFolders for folder, ignoring the SubmissionSet parameters (Note 3); both for both codes', () => {
    const r = q('patient=Patient/P1&status=current,retired&code=folder&date=lt2024&sourceId=1.2.9&source.given=M&designationType=urn:oid:1.2|C');
    expect(r.queries[0].queryId).to.equal(QueryIds.findFolders);
    expect(names(r.queries[0].parameters)).to.deep.equal(['$XDSFolderPatientId', '$XDSFolderStatus', '$XDSFolderLastUpdateTimeTo', '$XDSFolderCodeList']);
    expect(q('patient=Patient/P1&status=current&code=submissionset,https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes|folder').queries.map((x) => x.queryId)).to.deep.equal([QueryIds.findSubmissionSets, QueryIds.findFolders]);
  });

  it('requires code, patient and status', () => {
    for (const bad of ['patient=Patient/P1&status=current', 'code=folder&status=current', 'patient=Patient/P1&code=folder', 'patient=Patient/P1&status=current&code=manifest', 'patient=Patient/P1&status=current&code=http://x|folder']) {
      expect(() => q(bad), bad).to.throw(FhirError);
    }
  });
});
