import { expect } from 'chai';
import { createLogger } from '../kernel/logger.ts';
import { validate } from './config/load.ts';
import { checkRegionalAuthority } from './exampleAuthority.ts';

describe('an example regional authority on a network address', () => {
  const run = (doc: Record<string, unknown>) => {
    const lines: string[] = [];
    checkRegionalAuthority(validate(doc), createLogger('warn', (l) => lines.push(l)));
    return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  const tls = { cert: 'c.pem', key: 'k.pem' };

  it('is logged as a warning at start, naming the OID, the addresses and the key to set', () => {
    const lines = run({ mllp: { host: '0.0.0.0', tls }, http: { host: '192.0.2.10', tls } });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 'warn', event: 'identity.example-regional-authority', oid: '2.999.392.1.2', hosts: '0.0.0.0, 192.0.2.10' });
    expect(lines[0].note).to.contain('identity.regional.authority');
    const own = run({ mllp: { host: '0.0.0.0', tls }, http: { enabled: false }, identity: { regional: { authority: { namespace: 'REGION', oid: '2.999.392.1.2.4711' } } } });
    expect(own).to.have.length(1);
  });

  it('is not warned on loopback, nor for a region OID outside the example arc', () => {
    expect(run({})).to.deep.equal([]);
    expect(run({ mllp: { host: '::1' }, http: { host: 'localhost' } })).to.deep.equal([]);
    expect(run({ mllp: { host: '0.0.0.0', tls }, http: { host: '0.0.0.0', tls }, identity: { regional: { authority: { namespace: 'KANTO', oid: '1.2.392.200119.1' } } } })).to.deep.equal([]);
  });
});
