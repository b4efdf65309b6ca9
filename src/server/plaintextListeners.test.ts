import { expect } from 'chai';
import { createLogger } from '../kernel/logger.ts';
import { validate } from './config/load.ts';
import { checkPlaintextListeners } from './plaintextListeners.ts';

describe('listeners without TLS on a network address', () => {
  const run = (doc: Record<string, unknown>) => {
    const lines: string[] = [];
    checkPlaintextListeners(validate(doc), createLogger('warn', (l) => lines.push(l)));
    return lines;
  };

  it('are fine on loopback (the default), and with TLS anywhere', () => {
    expect(run({})).to.deep.equal([]);
    expect(run({ mllp: { host: '::1' }, http: { host: 'localhost' }, syslog: { host: '127.0.0.2', udp: { port: 0 } } })).to.deep.equal([]);
    expect(run({ mllp: { host: '0.0.0.0', tls: { cert: 'c.pem', key: 'k.pem' } }, http: { enabled: false } })).to.deep.equal([]);
  });

  it('stop the server unless access.allowPlaintextNetwork, naming each listener', () => {
    expect(() => run({ mllp: { host: '0.0.0.0' }, http: { host: '192.0.2.1' } })).to.throw(/mllp 0\.0\.0\.0, http 192\.0\.2\.1.*access\.allowPlaintextNetwork/);
    expect(() => run({ syslog: { host: '0.0.0.0', tcp: { port: 0 } } })).to.throw(/syslog 0\.0\.0\.0/);
  });

  it('are logged as a warning when allowed', () => {
    const lines = run({ mllp: { host: '0.0.0.0' }, access: { allowPlaintextNetwork: true } });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain('access.plaintext-network').and.contain('mllp 0.0.0.0');
  });
});
