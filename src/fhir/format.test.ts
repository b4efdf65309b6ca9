import { expect } from 'chai';
import { formatOfAccept, formatOfParameter, negotiate } from './format.ts';

describe('FHIR content negotiation (R4 http.html#mime-type, formats.html)', () => {
  it('reads _format as http.html lists it', () => {
    for (const x of ['xml', 'text/xml', 'application/xml', 'application/fhir+xml', 'application/xml+fhir', 'application/fhir+xml;fhirVersion=4.0']) expect(formatOfParameter(x), x).to.equal('xml');
    for (const j of ['json', 'application/json', 'application/fhir+json', 'application/json+fhir']) expect(formatOfParameter(j), j).to.equal('json');
    for (const no of ['ttl', 'text/turtle', 'html', 'text/html', '']) expect(formatOfParameter(no), no).to.equal(undefined);
  });

  it('reads Accept by quality, a specific type before a range, q=0 excluding', () => {
    expect(formatOfAccept('application/fhir+xml')).to.equal('xml');
    expect(formatOfAccept('application/fhir+json')).to.equal('json');
    expect(formatOfAccept('*/*')).to.equal('json');
    expect(formatOfAccept('application/fhir+json;q=0.5, application/fhir+xml')).to.equal('xml');
    expect(formatOfAccept('*/*, application/fhir+xml')).to.equal('xml');
    expect(formatOfAccept('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).to.equal('xml');
    expect(formatOfAccept('application/fhir+json;q=0, */*')).to.equal('xml');
    expect(formatOfAccept('text/turtle')).to.equal(undefined);
    expect(formatOfAccept('application/fhir+xml;q=0')).to.equal(undefined);
  });

  it('lets _format win over Accept, defaults to JSON, refuses a format not served, and leaves Binary to Accept', () => {
    expect(negotiate({ format: 'json', accept: 'application/fhir+xml' })).to.deep.equal({ format: 'json' });
    expect(negotiate({ format: 'xml', accept: 'application/fhir+json' })).to.deep.equal({ format: 'xml' });
    expect(negotiate({})).to.deep.equal({ format: 'json' });
    expect(negotiate({ accept: 'application/fhir+xml' })).to.deep.equal({ format: 'xml' });
    expect(negotiate({ format: 'ttl' })).to.have.property('refused').that.matches(/_format ttl/);
    expect(negotiate({ accept: 'text/turtle' })).to.have.property('refused').that.matches(/Accept text\/turtle/);
    // Binary: _format plays no part; an Accept naming the document's own type is the route's to judge.
    expect(negotiate({ format: 'xml', binary: true })).to.deep.equal({ format: 'json' });
    expect(negotiate({ accept: 'application/pdf', binary: true })).to.deep.equal({ format: 'json' });
    expect(negotiate({ accept: 'application/fhir+xml', binary: true })).to.deep.equal({ format: 'xml' });
  });
});
