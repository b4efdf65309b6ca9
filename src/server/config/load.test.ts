import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from './load.ts';

describe('configuration', () => {
  it('starts everything on localhost with defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.mllp.host).to.equal('127.0.0.1');
    expect(c.mllp.port).to.equal(2575);
    expect(c.http.port).to.equal(8080);
    expect(c.dataDir).to.equal('./var');
    expect(c.store.sqlite.synchronous).to.equal('FULL');
    expect(Object.isFrozen(c.identity.token)).to.equal(true);
  });

  it('reads a file, then environment, then flags, in that order', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-cfg-')), 'c.json');
    fs.writeFileSync(file, JSON.stringify({ mllp: { port: 3000 }, identity: { unknownDomains: 'reject' } }));
    expect(loadConfig({ file, env: {} }).mllp.port).to.equal(3000);
    expect(loadConfig({ file, env: { HIE_MLLP_PORT: '3001' } }).mllp.port).to.equal(3001);
    expect(loadConfig({ file, env: { HIE_MLLP_PORT: '3001' }, flags: { 'mllp.port': 3002 } }).mllp.port).to.equal(3002);
    expect(loadConfig({ file, env: {} }).identity.unknownDomains).to.equal('reject');
  });

  it('shows the access report in Asia/Tokyo unless told another IANA time zone, and refuses what is not one', () => {
    expect(loadConfig({ env: {} }).atna.reportTimeZone).to.equal('Asia/Tokyo');
    expect(loadConfig({ env: { HIE__ATNA__REPORTTIMEZONE: 'Europe/Berlin' } }).atna.reportTimeZone).to.equal('Europe/Berlin');
    for (const bad of ['JST', '+09:00', 'Asia/Tokio']) {
      expect(() => loadConfig({ env: { HIE__ATNA__REPORTTIMEZONE: bad } }), bad).to.throw(ConfigError, 'atna.reportTimeZone: must match format "iana-time-zone"');
    }
  });

  it('maps HIE__ variables onto nested keys', () => {
    const c = loadConfig({ env: { HIE__IDENTITY__UNKNOWN_DOMAINS: 'reject', HIE__PDQ__MAXMATCHES: '50' } });
    expect(c.identity.unknownDomains).to.equal('reject');
    expect(c.pdq.maxMatches).to.equal(50);
  });

  it('names the bad key', () => {
    const bad = (doc: object) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-cfg-')), 'c.json');
      fs.writeFileSync(file, JSON.stringify(doc));
      try {
        loadConfig({ file, env: {} });
      } catch (e) {
        expect(e).to.be.instanceOf(ConfigError);
        return (e as ConfigError).problems.join('\n');
      }
      return expect.fail('should be refused');
    };
    expect(bad({ mllp: { port: 70000 } })).to.match(/^mllp\.port: must be <= 65535/);
    expect(bad({ mllp: { prot: 1 } })).to.contain('mllp.prot: unknown key');
    expect(bad({ identity: { regional: { authority: { namespace: 'X', oid: 'not-an-oid' } } } })).to.contain('identity.regional.authority.oid');
    expect(() => loadConfig({ env: { HIE__NOPE: '1' } })).to.throw(ConfigError, 'HIE__NOPE: no such configuration key');
  });

  it('keeps SQLite unless told postgres, and wants a PostgreSQL database by url or by parts, not both', () => {
    const c = loadConfig({ env: {} });
    expect(c.store.engine).to.equal('sqlite');
    expect(c.store.postgres).to.deep.equal({
      poolSize: 10,
      statementTimeoutMs: 30000,
      connectTimeoutMs: 10000,
      outboxClaimMs: 60000,
      replicas: [],
      replicaMaxLagMs: 5000,
      replicaCheckMs: 1000,
      replicaTransactions: ['ITI-18', 'ITI-21', 'ITI-78', 'ITI-81'],
    });
    const byUrl = loadConfig({ env: { HIE__STORE__ENGINE: 'postgres', HIE__STORE__POSTGRES__URL: 'postgres://hie@db.example:5433/hie', HIE__STORE__POSTGRES__POOL_SIZE: '4' } });
    expect(byUrl.store.engine).to.equal('postgres');
    expect(byUrl.store.postgres).to.include({ url: 'postgres://hie@db.example:5433/hie', poolSize: 4 });
    const byParts = loadConfig({ env: { HIE__STORE__ENGINE: 'postgres', HIE__STORE__POSTGRES__HOST: 'db.example', HIE__STORE__POSTGRES__DATABASE: 'hie', HIE__STORE__POSTGRES__USER: 'hie' } });
    expect(byParts.store.postgres).to.include({ host: 'db.example', database: 'hie', user: 'hie' });
    expect(() => loadConfig({ env: { HIE__STORE__ENGINE: 'postgres' } })).to.throw(ConfigError, 'store.postgres: engine postgres needs url, or host');
    expect(() => loadConfig({ env: { HIE__STORE__POSTGRES__URL: 'postgres://db/hie', HIE__STORE__POSTGRES__HOST: 'db' } })).to.throw(
      ConfigError,
      'store.postgres: give either url or host, not both',
    );
    expect(() => loadConfig({ env: { HIE__STORE__POSTGRES__URL: 'mysql://db/hie' } })).to.throw(ConfigError, 'store.postgres.url: must match pattern');
    expect(() => loadConfig({ env: { HIE__STORE__ENGINE: 'oracle' } })).to.throw(ConfigError, 'store.engine: must be equal to one of the allowed values');
    expect(() => loadConfig({ env: { HIE__STORE__POSTGRES__TLS__CERT: '/c.pem' } })).to.throw(ConfigError, 'store.postgres.tls: must have property key when property cert is present');
  });

  it('keeps every audit month by default, and removes months only on PostgreSQL', () => {
    expect(loadConfig({ env: {} }).atna.retention).to.deep.equal({ months: 0, exportDir: 'audit-archive', checkIntervalMs: 3600000, monthsAhead: 3 });
    const pg = loadConfig({ env: { HIE__STORE__ENGINE: 'postgres', HIE__STORE__POSTGRES__URL: 'postgres://db/hie', HIE__ATNA__RETENTION__MONTHS: '84' } });
    expect(pg.atna.retention.months).to.equal(84);
    expect(() => loadConfig({ env: { HIE__ATNA__RETENTION__MONTHS: '84' } })).to.throw(ConfigError, 'atna.retention.months: removing audit months needs store.engine postgres');
    expect(() => loadConfig({ env: { HIE__ATNA__RETENTION__MONTHS: '-1' } })).to.throw(ConfigError, 'atna.retention.months: must be >= 0');
  });

  it('takes read replicas by url or by parts, each validated at start, with a pool size', () => {
    const load = (postgres: object) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-cfg-')), 'c.json');
      fs.writeFileSync(file, JSON.stringify({ store: { engine: 'postgres', postgres: { url: 'postgres://hie@primary/hie', ...postgres } } }));
      return loadConfig({ file, env: {} });
    };
    const c = load({ replicas: [{ url: 'postgres://hie@standby-1/hie', poolSize: 4 }, { host: 'standby-2', database: 'hie', user: 'hie' }], replicaMaxLagMs: 2000 });
    expect(c.store.postgres.replicas).to.deep.equal([
      { url: 'postgres://hie@standby-1/hie', poolSize: 4 },
      { host: 'standby-2', database: 'hie', user: 'hie', poolSize: 10 },
    ]);
    expect(c.store.postgres.replicaMaxLagMs).to.equal(2000);
    expect(() => load({ replicas: [{ url: 'postgres://s/hie', host: 's' }] })).to.throw(ConfigError, 'store.postgres.replicas.0: give either url or host, not both');
    expect(() => load({ replicas: [{ poolSize: 2 }] })).to.throw(ConfigError, 'store.postgres.replicas.0: needs url, or host');
    expect(() => load({ replicas: [{ url: 'http://s/hie' }] })).to.throw(ConfigError, 'store.postgres.replicas.0.url: must match pattern');
    expect(() => load({ replicas: [{ url: 'postgres://s/hie', poolSize: 0 }] })).to.throw(ConfigError, 'store.postgres.replicas.0.poolSize: must be >= 1');
    expect(() => load({ replicas: [{ url: 'postgres://s/hie' }], replicaCheckMs: 5000, replicaMaxLagMs: 5000 })).to.throw(ConfigError, 'replicaCheckMs: must be less than');
    expect(() => load({ replicaTransactions: ['iti 18'] })).to.throw(ConfigError, 'store.postgres.replicaTransactions.0: must match pattern');
  });

  it('names the individual-number domain by namespace and OID, with screening off, unless configured', () => {
    const c = loadConfig({ env: {} });
    expect(c.identity.individualNumber).to.deep.include({ namespace: 'MYNUMBER', oid: '2.999.392.1.9', typeCodes: ['MN'], freeTextScreening: { enabled: false } });
    expect(() => loadConfig({ env: {}, flags: { 'identity.individualNumber.oid': 'urn:oid:2.999' } })).to.throw(ConfigError, /individualNumber\.oid/);
    expect(() => loadConfig({ env: {}, flags: { 'identity.individualNumber.namespace': 'MY^NUMBER' } })).to.throw(ConfigError, /individualNumber\.namespace/);
  });
});
