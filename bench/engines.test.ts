import { expect } from 'chai';
import pg from 'pg';
import { benchSettings, parseEngines, processTreeCpuMs, ratioOf, startBenchPostgres, storeSection } from './engines.ts';

describe('bench engines (--store)', () => {
  it('reads the engines in the order given, each once, SQLite by default', () => {
    expect(parseEngines(undefined)).to.deep.equal(['sqlite']);
    expect(parseEngines('postgres, sqlite,postgres')).to.deep.equal(['postgres', 'sqlite']);
    expect(() => parseEngines('sqlite,mysql')).to.throw('unknown engine "mysql"');
    expect(() => parseEngines(' , ')).to.throw('at least one engine');
  });

  it('runs PostgreSQL durable, as production would, with the shared buffers overridable', () => {
    const s = benchSettings({});
    expect(s).to.include({ fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on', shared_buffers: '2GB', max_connections: 100 });
    expect(benchSettings({ BENCH_PG_SHARED_BUFFERS: '256MB' }).shared_buffers).to.equal('256MB');
  });

  it('gives a hie config section per engine, and ratios only when both sides are there', () => {
    expect(storeSection('sqlite')).to.deep.equal({});
    expect(storeSection('postgres', 'postgres://u@h/db')).to.deep.equal({ store: { engine: 'postgres', postgres: { url: 'postgres://u@h/db' } } });
    expect(() => storeSection('postgres')).to.throw('URL');
    expect(ratioOf(50, 100)).to.equal(0.5);
    expect(ratioOf(50, undefined)).to.be.NaN;
    expect(ratioOf(50, 0)).to.be.NaN;
  });

  it('reads the CPU of a process and its children', () => {
    const cpu = processTreeCpuMs(process.pid);
    expect(cpu).to.be.a('number').and.to.be.at.least(0);
    expect(processTreeCpuMs(2 ** 22 + 12345)).to.be.NaN;
  });

  it('starts a durable cluster with the bench settings and counts its server CPU', async function () {
    this.timeout(120_000);
    const before = process.env.BENCH_PG_SHARED_BUFFERS;
    process.env.BENCH_PG_SHARED_BUFFERS = '64MB';
    const pgb = await startBenchPostgres();
    try {
      const c = new pg.Client({ connectionString: await pgb.freshDatabase('engines_test') });
      await c.connect();
      const cpu0 = pgb.serverCpuMs();
      try {
        const show = async (name: string) => (await c.query(`SHOW ${name}`)).rows[0][name];
        expect(await show('fsync')).to.equal('on');
        expect(await show('synchronous_commit')).to.equal('on');
        expect(await show('shared_buffers')).to.equal('64MB');
        await c.query('SELECT count(*) FROM generate_series(1, 3000000)');
        // Read while the backend lives: one that ended counts once the postmaster has reaped it.
        expect(pgb.serverCpuMs()).to.be.greaterThan(cpu0);
      } finally {
        await c.end();
      }
    } finally {
      await pgb.stop();
      if (before === undefined) delete process.env.BENCH_PG_SHARED_BUFFERS;
      else process.env.BENCH_PG_SHARED_BUFFERS = before;
    }
  });
});
