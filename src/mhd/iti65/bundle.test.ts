import { expect } from 'chai';
import type { Bundle, BundleEntry } from 'fhir/r4.js';
import type { Association, ExtrinsicObject, RegistryPackage } from '../../ebxml/rim.ts';
import { provideBundle } from '../../../test/helpers/mhd.ts';
import { AssociationTypes, ObjectTypes } from '../../xds/registry/schemes.ts';
import { PatientReferences } from '../mapping/patientReference.ts';
import { MhdError } from '../outcome.ts';
import { planOfBundle } from './bundle.ts';

const patients = new PatientReferences('1.2.3.7');
const plan = (b: Bundle) => planOfBundle(b, { patients });
const failure = (b: Bundle): MhdError => {
  try {
    plan(b);
  } catch (e) {
    if (e instanceof MhdError) return e;
    throw e;
  }
  throw new Error('expected the plan to fail');
};

describe('ITI-65: a Provide Document Bundle as the ITI-41 submission', () => {
  it('makes the SubmissionSet, DocumentEntries, Folder, HasMember associations and documents; plans each entry\'s answer', () => {
    const b = provideBundle({ patient: 'P1', docs: [{ content: Buffer.from('one') }, {}], folder: true });
    const p = plan(b);
    expect(p.patientId).to.equal('P1^^^&1.2.3.7&ISO');
    const docs = p.objects.filter((o): o is ExtrinsicObject => o.type === 'ExtrinsicObject');
    const pkgs = p.objects.filter((o): o is RegistryPackage => o.type === 'RegistryPackage');
    const assocs = p.objects.filter((o): o is Association => o.type === 'Association');
    expect(docs).to.have.length(2);
    expect(pkgs.map((x) => x.classifications[0].classificationNode)).to.deep.equal([ObjectTypes.submissionSet, ObjectTypes.folder]);
    const [ss, folder] = pkgs;
    const members = (src: string) => assocs.filter((a) => a.sourceObject === src && a.associationType === AssociationTypes.hasMember).map((a) => [a.targetObject, a.slots[0]?.values[0]]);
    expect(members(ss.id)).to.deep.equal([[docs[0].id, 'Original'], [docs[1].id, 'Original'], [folder.id, undefined]]);
    expect(members(folder.id).map((m) => m[0])).to.deep.equal(docs.map((d) => d.id));
    expect(p.documents.map((d) => d.id)).to.deep.equal(docs.map((d) => d.id));
    expect((p.documents[0].source as { data: Buffer }).data.toString()).to.equal('one');
    expect(p.responses.map((r) => `${r.status} ${r.location!.split('/')[0]}`)).to.deep.equal(['201 Created List', '201 Created DocumentReference', '201 Created Binary', '201 Created DocumentReference', '201 Created Binary', '201 Created List']);
    expect(p.responses[2].location!.split('/')[1]).to.equal(docs[0].id.slice(9));
  });

  it('takes the document from a Binary contained in the DocumentReference', () => {
    const b = provideBundle({ patient: 'P1', docs: [{ content: Buffer.from('inside') }] });
    const [binaryEntry] = b.entry!.splice(2, 1);
    const dr = b.entry![1].resource as unknown as { contained: unknown[]; content: { attachment: { url: string } }[] };
    dr.contained.push({ ...binaryEntry.resource, id: 'doc' });
    dr.content[0].attachment.url = '#doc';
    const p = plan(b);
    expect((p.documents[0].source as { data: Buffer }).data.toString()).to.equal('inside');
    expect(p.responses).to.have.length(2);
  });

  it('keeps entryUUIDs the client gave, and maps relatesTo as the association (replaces: RPLC)', () => {
    const b = provideBundle({ patient: 'P1', docs: [{ replaces: 'urn:uuid:11111111-2222-4333-8444-555555555555' }] });
    (b.entry![1].resource as { identifier?: unknown[] }).identifier = [{ type: { coding: [{ code: 'entryUUID' }] }, system: 'urn:ietf:rfc:3986', value: 'urn:uuid:aaaaaaaa-2222-4333-8444-555555555555' }];
    const p = plan(b);
    const rplc = p.objects.find((o): o is Association => o.type === 'Association' && o.associationType === AssociationTypes.rplc)!;
    expect(rplc).to.deep.include({ sourceObject: 'urn:uuid:aaaaaaaa-2222-4333-8444-555555555555', targetObject: 'urn:uuid:11111111-2222-4333-8444-555555555555' });
  });

  it('refuses what is no Provide Document Bundle (400) and metadata it cannot map (422), each issue at its entry', () => {
    const b = () => provideBundle({ patient: 'P1', docs: [{}] });
    expect(failure({ ...b(), type: 'batch' }).status).to.equal(400);
    const withPatient = b();
    withPatient.entry!.push({ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } } as BundleEntry);
    expect(failure(withPatient)).to.include({ status: 400 }).and.nested.include({ 'issues[0].expression[0]': 'Bundle.entry[3].resource' });
    const noSet = b();
    noSet.entry!.shift();
    expect(failure(noSet).status).to.equal(422);
    const noBinary = b();
    noBinary.entry!.pop();
    expect(failure(noBinary).issues.map((i) => i.xdsCode)).to.deep.equal(['XDSMissingDocument']);
    const stray = b();
    stray.entry!.push({ ...stray.entry![2], fullUrl: 'urn:uuid:0f0f0f0f-0000-4000-8000-000000000000' });
    expect(failure(stray).issues.map((i) => [i.xdsCode, i.expression![0]])).to.deep.equal([['XDSMissingDocumentMetadata', 'Bundle.entry[3]']]);
    const mismatch = b();
    (mismatch.entry![2].resource as unknown as { contentType: string }).contentType = 'application/pdf';
    expect(failure(mismatch).issues[0].expression).to.deep.equal(['Bundle.entry[2].resource.contentType']);
    const supersede = b();
    supersede.entry!.push({ resource: { resourceType: 'DocumentReference', status: 'superseded', content: [] } as never, request: { method: 'PUT', url: 'DocumentReference/11111111-2222-4333-8444-555555555555' } });
    expect(failure(supersede).issues[0]).to.include({ code: 'not-supported' });
    const noSubject = b();
    delete (noSubject.entry![0].resource as { subject?: unknown }).subject;
    expect(failure(noSubject).issues[0].xdsCode).to.equal('XDSUnknownPatientId');
  });
});
