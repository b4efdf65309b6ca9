import { expect } from 'chai';
import type { Config, NodeConfig } from '../kernel/config.ts';
import { isLoopback, NodeConfigError, NodeDirectory, parseSubject } from './nodeDirectory.ts';

const FP_A = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const FP_B = '11'.repeat(32);

type DirConfig = Pick<Config, 'nodes' | 'access' | 'identity'>;

function config(nodes: Partial<NodeConfig>[], access: Partial<DirConfig['access']> = {}): DirConfig {
  return {
    nodes: nodes.map((n) => ({ breakGlass: [], requireAssertion: false, roles: ['source'], ...n }) as NodeConfig),
    access: {
      local: { enabled: true, name: 'local', facilities: ['*'], roles: ['source', 'consumer', 'auditor', 'admin'], breakGlass: [] },
      allowPlaintextNetwork: false,
      ...access,
    },
    identity: {
      domains: [
        { namespace: 'HOSP_A', oid: '1.2.392.999.1' },
        { namespace: 'HOSP_B', oid: '1.2.392.999.2', sourceFacility: 'B_EHR' },
      ],
    } as unknown as DirConfig['identity'],
  };
}

const cert = (subject: string, fingerprint256 = FP_B) => ({ subject, fingerprint256 });

describe('NodeDirectory: who a peer is', () => {
  describe('subjects', () => {
    it('parses RFC 4514-like and openssl /CN=x forms alike', () => {
      expect(parseSubject('CN=hosp-a,O=Hospital A')).to.deep.equal([['CN', 'hosp-a'], ['O', 'Hospital A']]);
      expect(parseSubject('/CN=hosp-a/O=Hospital A')).to.deep.equal([['CN', 'hosp-a'], ['O', 'Hospital A']]);
      expect(parseSubject('cn = hosp-a, o=Hospital, Inc.')).to.deep.equal([['CN', 'hosp-a'], ['O', 'Hospital, Inc.']]);
    });

    it('matches a certificate by one subject attribute', () => {
      const d = new NodeDirectory(config([{ name: 'hosp-a', subject: 'CN=hosp-a', facility: 'HOSP_A' }]));
      expect(d.forCertificate(cert('CN=hosp-a'))?.name).to.equal('hosp-a');
      expect(d.forCertificate(cert('CN=hosp-a,O=Hospital A,C=JP'))?.name).to.equal('hosp-a');
      expect(d.forCertificate(cert('CN=hosp-b'))).to.equal(undefined);
      expect(d.forCertificate(cert('CN=hosp-a2'))).to.equal(undefined);
    });

    it('needs every attribute config gives, in any order, the /CN=x form included', () => {
      const d = new NodeDirectory(config([{ name: 'hosp-a', subject: '/CN=hosp-a/O=Hospital A', facility: 'HOSP_A' }]));
      expect(d.forCertificate(cert('O=Hospital A,CN=hosp-a'))?.name).to.equal('hosp-a');
      expect(d.forCertificate(cert('CN=hosp-a'))).to.equal(undefined);
      expect(d.forCertificate(cert('CN=hosp-a,O=Hospital B'))).to.equal(undefined);
    });
  });

  describe('fingerprints', () => {
    for (const [label, configured] of [
      ['with colons', FP_A],
      ['without colons, lower case', FP_A.replace(/:/g, '').toLowerCase()],
    ]) {
      it(`matches the SHA-256 fingerprint given ${label}`, () => {
        const d = new NodeDirectory(config([{ name: 'hosp-a', fingerprint: configured, facility: 'HOSP_A' }]));
        expect(d.forCertificate(cert('CN=anything', FP_A))?.name).to.equal('hosp-a');
        expect(d.forCertificate(cert('CN=anything', FP_B))).to.equal(undefined);
      });
    }

    it('needs both when both subject and fingerprint are configured', () => {
      const d = new NodeDirectory(config([{ name: 'hosp-a', subject: 'CN=hosp-a', fingerprint: FP_A, facility: 'HOSP_A' }]));
      expect(d.forCertificate(cert('CN=hosp-a', FP_A))?.name).to.equal('hosp-a');
      expect(d.forCertificate(cert('CN=hosp-a', FP_B))).to.equal(undefined);
      expect(d.forCertificate(cert('CN=other', FP_A))).to.equal(undefined);
    });

    it('never matches a certificate to a node named by addresses only', () => {
      const d = new NodeDirectory(config([{ name: 'lab', addresses: ['192.0.2.10'], facility: 'HOSP_A' }]));
      expect(d.forCertificate(cert('CN=lab'))).to.equal(undefined);
    });
  });

  describe('peers without TLS', () => {
    it('gives loopback peers the local identity: every facility, the operator roles', () => {
      const d = new NodeDirectory(config([]));
      for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.8.9.1']) {
        expect(isLoopback(a), a).to.equal(true);
        const ctx = d.contextOf('mllp', a);
        expect(ctx.node?.name, a).to.equal('local');
        expect(ctx.node?.facilities).to.equal('*');
        expect([...ctx.node!.roles]).to.have.members(['source', 'consumer', 'auditor', 'admin']);
      }
      expect(d.contextOf('mllp', '::ffff:127.0.0.1').address).to.equal('127.0.0.1');
    });

    it('gives loopback peers nobody when the local identity is disabled, and a restricted one when configured so', () => {
      const off = new NodeDirectory(config([], { local: { enabled: false, name: 'local', facilities: ['*'], roles: [], breakGlass: [] } }));
      expect(off.contextOf('mllp', '127.0.0.1').node).to.equal(undefined);
      const desk = new NodeDirectory(config([], { local: { enabled: true, name: 'desk', facilities: ['HOSP_B'], roles: ['consumer'], breakGlass: [] } }));
      expect(desk.localIdentity).to.include({ name: 'desk' });
      expect(desk.localIdentity?.facilities).to.deep.equal(['1.2.392.999.2']);
    });

    it('knows a plaintext peer on another address only by a node that lists it', () => {
      const d = new NodeDirectory(config([{ name: 'lab', addresses: ['192.0.2.10', '2001:db8::10'], facility: 'HOSP_A' }]));
      expect(d.contextOf('mllp', '::ffff:192.0.2.10').node?.name).to.equal('lab');
      expect(d.contextOf('mllp', '2001:db8::10').node?.name).to.equal('lab');
      expect(d.contextOf('mllp', '192.0.2.11').node).to.equal(undefined);
    });

    it('judges a TLS peer by its certificate alone, on loopback too', () => {
      const d = new NodeDirectory(config([{ name: 'hosp-a', subject: 'CN=hosp-a', facility: 'HOSP_A' }]));
      const ctx = d.contextOf('mllp', '127.0.0.1', cert('CN=stranger'));
      expect(ctx.node).to.equal(undefined);
      expect(ctx.certificate?.subject).to.equal('CN=stranger');
    });
  });

  describe('facilities and config errors', () => {
    it('resolves facilities named by namespace or OID to domain keys, and their OIDs to sourceIds', () => {
      const d = new NodeDirectory(config([{ name: 'hosp-a', subject: 'CN=hosp-a', facility: 'HOSP_A', facilities: ['1.2.392.999.2'], roles: ['source', 'consumer'] }]));
      const n = d.nodes[0];
      expect(n.facilities).to.deep.equal(['1.2.392.999.1', '1.2.392.999.2']);
      expect(n.sourceIds).to.deep.equal(['1.2.392.999.1', '1.2.392.999.2']);
      expect(n.auditSourceIds).to.deep.equal(['hosp-a']);
      expect([...n.roles]).to.deep.equal(['source', 'consumer']);
    });

    it("takes '*' as every facility", () => {
      const d = new NodeDirectory(config([{ name: 'operator', subject: 'CN=op', facility: '*' }]));
      expect(d.nodes[0].facilities).to.equal('*');
    });

    it('refuses a facility that is no identity.domains entry, and a name used twice, naming each place', () => {
      expect(() => new NodeDirectory(config([{ name: 'hosp-a', subject: 'CN=hosp-a', facility: 'HOSP_Z' }]))).to.throw(
        NodeConfigError,
        'nodes[0]: facility HOSP_Z is not an identity.domains entry',
      );
      expect(
        () =>
          new NodeDirectory(
            config([
              { name: 'hosp-a', subject: 'CN=hosp-a', facility: 'HOSP_A' },
              { name: 'hosp-a', subject: 'CN=hosp-a2', facility: 'HOSP_B' },
            ]),
          ),
      ).to.throw(NodeConfigError, 'nodes[1].name: hosp-a is used twice');
      expect(() => new NodeDirectory(config([], { local: { enabled: true, name: 'local', facilities: ['NOWHERE'], roles: [], breakGlass: [] } }))).to.throw(
        NodeConfigError,
        'access.local: facility NOWHERE is not an identity.domains entry',
      );
    });
  });
});
