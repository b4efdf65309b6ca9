import { expect } from 'chai';
import { validate } from '../server/config/load.ts';
import { DomainDirectory } from './domainDirectory.ts';

const identity = (more: Record<string, unknown> = {}) => validate({ identity: { token: { issuerKey: 'k'.repeat(32) }, ...more } }).identity;

describe('the domain directory and the individual-number domain', () => {
  it('refuses at start a configuration whose patient identifier domain is the individual-number domain', () => {
    expect(() => new DomainDirectory(identity({ domains: [{ namespace: 'MYNUMBER', oid: '1.2.392.999.1' }] }))).to.throw(/individualNumber/);
    expect(() => new DomainDirectory(identity({ regional: { authority: { namespace: 'R', oid: '2.999.392.1.9' } } }))).to.throw(/individualNumber/);
    expect(() => new DomainDirectory(identity({ domains: [{ namespace: 'HOSP_A', oid: '1.2.392.999.1' }] }))).to.not.throw();
  });

  it('names the domain by its namespace, its OID and the aliases configured', () => {
    const d = new DomainDirectory(identity({ individualNumber: { authorities: ['JPMN'] } }));
    for (const a of ['MYNUMBER', 'urn:oid:2.999.392.1.9', 'jpmn']) expect(d.isIndividualNumberAuthority(a), a).to.equal(true);
    expect(d.screensFreeText('123456789018')).to.equal(false);
    expect(new DomainDirectory(identity({ individualNumber: { freeTextScreening: { enabled: true } } })).screensFreeText('123456789018')).to.equal(true);
  });
});
