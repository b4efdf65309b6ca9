import { expect } from 'chai';
import { emptyBase, registryObject, setSlot, withFields, type Classification, type ExtrinsicObject } from './rim.ts';

describe('registry objects (ebRIM)', () => {
  it('a new object has empty base lists, the fields of its kind, and the base fields it gives', () => {
    const c = registryObject<Classification>('c1', {
      type: 'Classification',
      classificationScheme: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
      classifiedObject: 'Document1',
      nodeRepresentation: 'N',
      slots: [{ name: 'codingScheme', values: ['2.16.840.1.113883.5.25'] }],
    });
    expect(c).to.deep.equal({
      id: 'c1',
      slots: [{ name: 'codingScheme', values: ['2.16.840.1.113883.5.25'] }],
      name: [],
      description: [],
      classifications: [],
      externalIdentifiers: [],
      type: 'Classification',
      classificationScheme: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
      classifiedObject: 'Document1',
      nodeRepresentation: 'N',
    });
    // The base fields first, in their order, then the kind's: a stored JSON body reads the same as before.
    expect(Object.keys(c)).to.deep.equal(['id', 'slots', 'name', 'description', 'classifications', 'externalIdentifiers', 'type', 'classificationScheme', 'classifiedObject', 'nodeRepresentation']);
  });

  it('fields are added to the base given, not to a copy of it', () => {
    const base = emptyBase('Document1');
    base.lid = 'urn:uuid:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
    const o = withFields<ExtrinsicObject>(base, { type: 'ExtrinsicObject', mimeType: 'text/xml' });
    expect(o).to.equal(base);
    expect(o.lid).to.equal('urn:uuid:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b');
    expect(o.mimeType).to.equal('text/xml');
  });

  it('setSlot replaces a slot with a new one, leaving the old slot object as it was', () => {
    const o = emptyBase('x');
    const old = { name: 'lastUpdateTime', slotType: 'DTM', values: ['20240101'] };
    o.slots.push(old);
    setSlot(o, 'lastUpdateTime', ['20250101']);
    expect(o.slots).to.deep.equal([{ name: 'lastUpdateTime', slotType: 'DTM', values: ['20250101'] }]);
    expect(old.values).to.deep.equal(['20240101']);
    setSlot(o, 'other', ['v']);
    expect(o.slots.map((s) => s.name)).to.deep.equal(['lastUpdateTime', 'other']);
  });
});
