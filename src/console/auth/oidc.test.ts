import { expect } from 'chai';
import { roleOf } from './oidc.ts';

describe('console: OpenID Connect roles', () => {
  const map = { viewer: ['staff'], operator: ['hie-operator'], admin: ['hie-admin'] };
  it('gives the highest console role any claim value maps to, from a list or a space- or comma-separated string', () => {
    expect(roleOf(['staff', 'hie-operator'], map)).to.equal('operator');
    expect(roleOf('staff hie-admin', map)).to.equal('admin');
    expect(roleOf('staff,other', map)).to.equal('viewer');
  });
  it('gives none for unknown values or a claim of another shape', () => {
    for (const claim of [['patient'], '', undefined, 42, { roles: ['hie-admin'] }]) expect(roleOf(claim, map), JSON.stringify(claim)).to.equal(undefined);
  });
});
