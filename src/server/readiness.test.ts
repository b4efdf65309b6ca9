import { expect } from 'chai';
import { Readiness } from './readiness.ts';

describe('Readiness', () => {
  it('is ready only once every awaited step is done', () => {
    const r = new Readiness(['start', 'demo']);
    expect(r.state).to.equal('starting');
    r.done('start');
    expect(r.state).to.equal('starting');
    r.done('demo');
    expect(r.state).to.equal('ready');
  });

  it('is not ready from the moment it stops', () => {
    const r = new Readiness([]);
    expect(r.state).to.equal('ready');
    r.stop();
    expect(r.state).to.equal('stopping');
  });
});
