import { expect } from 'chai';
import { allowedMethods, capabilityStatement, type FaceCapability } from './capability.ts';
import { FhirSchemaValidator } from './schemaValidator.ts';

const pdqm: FaceCapability = { resources: [{ type: 'Patient', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: [{ name: 'family', type: 'string' }] }] };
const pixm: FaceCapability = { resources: [{ type: 'Patient', operation: [{ name: 'ihe-pix', definition: 'https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix' }] }] };
const atna: FaceCapability = { resources: [{ type: 'AuditEvent', interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }] }], systemInteractions: ['batch', 'transaction'] };

describe('FHIR CapabilityStatement made from the faces', () => {
  const cs = capabilityStatement({ base: 'http://x/fhir', software: { name: 'hie', version: '0.1.0' }, faces: [atna, pixm, pdqm], date: '2026-12-08T00:00:00Z' });

  it('is one valid CapabilityStatement with one entry per resource type, the faces of one type merged', () => {
    expect(new FhirSchemaValidator().validate(cs, 'CapabilityStatement')).to.deep.equal([]);
    const [rest] = cs.rest!;
    expect(rest.resource!.map((r) => r.type)).to.deep.equal(['AuditEvent', 'Patient']);
    const patient = rest.resource!.find((r) => r.type === 'Patient')!;
    expect(patient.interaction!.map((i) => i.code)).to.deep.equal(['read', 'search-type']);
    expect(patient.operation!.map((o) => o.name)).to.deep.equal(['ihe-pix']);
    expect(patient.searchParam!.map((p) => p.name)).to.deep.equal(['family']);
    expect(rest.interaction!.map((i) => i.code)).to.deep.equal(['batch', 'transaction']);
    expect(rest.documentation).to.match(/handling=strict is the default/);
  });

  it('does not change the faces it was made from', () => {
    expect(pixm.resources[0]).to.not.have.property('interaction');
  });

  it('tells the methods a path takes: none for a path no face serves (404), the others for 405', () => {
    const faces = [atna, pixm, pdqm];
    expect(allowedMethods(faces, '/Patient')).to.deep.equal(['GET']);
    expect(allowedMethods(faces, '/Patient/_search')).to.deep.equal(['POST']);
    expect(allowedMethods(faces, '/Patient/abc')).to.deep.equal(['GET']);
    expect(allowedMethods(faces, '/Patient/$ihe-pix')).to.deep.equal(['GET', 'POST']);
    expect(allowedMethods(faces, '/Patient/$everything')).to.equal(undefined);
    expect(allowedMethods(faces, '/AuditEvent')).to.have.members(['GET', 'POST']);
    expect(allowedMethods(faces, '/metadata')).to.deep.equal(['GET']);
    expect(allowedMethods(faces, '/')).to.deep.equal(['POST']);
    expect(allowedMethods(faces, '/Observation')).to.equal(undefined);
    expect(allowedMethods(faces, '/Patient/a/b')).to.equal(undefined);
    expect(allowedMethods([pixm], '/Patient')).to.equal(undefined);
  });
});
