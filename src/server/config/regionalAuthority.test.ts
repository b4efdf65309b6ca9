import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig, validate } from './load.ts';
import { EXAMPLE_REGIONAL_AUTHORITY, ownRegionalAuthority, REGIONAL_AUTHORITY_FILE } from './regionalAuthority.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hie-region-'));

describe('the regional authority of a server whose config names none', () => {
  it('is its own: made once per data folder, kept, and different for another folder', () => {
    const a = tmp();
    const b = tmp();
    const first = ownRegionalAuthority(validate({ dataDir: a }));
    expect(first.namespace).to.equal('REGION');
    expect(first.oid).to.match(/^2\.999\.392\.1\.2\.[1-9][0-9]*$/);
    expect(ownRegionalAuthority(validate({ dataDir: a }))).to.deep.equal(first);
    expect(JSON.parse(fs.readFileSync(path.join(a, REGIONAL_AUTHORITY_FILE), 'utf8'))).to.deep.equal(first);
    expect(ownRegionalAuthority(validate({ dataDir: b })).oid).not.to.equal(first.oid);
  });

  it('stays the example authority for a store made before, whose regional IDs were handed out under it', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'hie.db'), '');
    expect(ownRegionalAuthority(validate({ dataDir: d }))).to.deep.equal(EXAMPLE_REGIONAL_AUTHORITY);
  });

  it('is what loadConfig gives the hie commands, unless a file, variable or flag names one', () => {
    const d = tmp();
    const own = loadConfig({ env: {}, flags: { dataDir: d }, ownRegionalAuthority: true }).identity.regional.authority;
    expect(own.oid).to.match(/^2\.999\.392\.1\.2\.\d+$/);
    expect(loadConfig({ env: {}, flags: { dataDir: d } }).identity.regional.authority).to.deep.equal(EXAMPLE_REGIONAL_AUTHORITY);
    const named = { namespace: 'KANTO', oid: '1.2.392.200119.1' };
    expect(loadConfig({ env: {}, flags: { dataDir: tmp(), 'identity.regional.authority': named }, ownRegionalAuthority: true }).identity.regional.authority).to.deep.equal(named);
    const env = { HIE__IDENTITY__REGIONAL__AUTHORITY: JSON.stringify(named) };
    expect(loadConfig({ env, flags: { dataDir: tmp() }, ownRegionalAuthority: true }).identity.regional.authority).to.deep.equal(named);
  });
});
