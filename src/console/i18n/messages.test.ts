import { expect } from 'chai';
import { CATALOGUES, langOf } from './messages.ts';

describe('console: message catalogue', () => {
  it('has every key in both languages, none empty', () => {
    const ja = Object.keys(CATALOGUES.ja).sort();
    expect(Object.keys(CATALOGUES.en).sort()).to.deep.equal(ja);
    for (const lang of ['ja', 'en'] as const) for (const [k, v] of Object.entries(CATALOGUES[lang])) expect(typeof v === 'string' ? v.length : Object.keys(v).length, `${lang}.${k}`).to.be.greaterThan(0);
  });

  it('is Japanese unless English is asked for', () => {
    expect(langOf(undefined, undefined)).to.equal('ja');
    expect(langOf('en', undefined)).to.equal('en');
    expect(langOf(undefined, 'en')).to.equal('en');
    expect(langOf('ja', 'en')).to.equal('ja');
    expect(langOf('<x>', 'fr')).to.equal('ja');
  });
});
