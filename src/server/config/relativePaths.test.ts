import { expect } from 'chai';
import { resolveFilePaths } from './relativePaths.ts';

describe('file names in a config file', () => {
  it('are resolved from the config file folder, absolute ones kept, other keys untouched', () => {
    const doc = {
      dataDir: 'var',
      mllp: { tls: { cert: 'certs/hie.pem', key: '/etc/hie/hie.key', ca: './certs/ca.pem' } },
      atna: { repositories: [{ name: 'arr', host: 'arr.example', port: 6514, tls: { ca: 'certs/ca.pem' } }] },
      xua: { identityProviders: [{ name: 'idp', cert: 'idp.pem' }] },
      store: { sqlite: { file: 'hie.db' } },
      xds: { repository: { blobDir: 'blobs', registryTls: { cert: '../shared/node.pem' } } },
    };
    resolveFilePaths(doc, '/srv/region');
    expect(doc.dataDir).to.equal('/srv/region/var');
    expect(doc.mllp.tls).to.deep.equal({ cert: '/srv/region/certs/hie.pem', key: '/etc/hie/hie.key', ca: '/srv/region/certs/ca.pem' });
    expect(doc.atna.repositories[0].tls.ca).to.equal('/srv/region/certs/ca.pem');
    expect(doc.xua.identityProviders[0].cert).to.equal('/srv/region/idp.pem');
    expect(doc.xds.repository.registryTls.cert).to.equal('/srv/shared/node.pem');
    expect(doc.store.sqlite.file).to.equal('hie.db');
    expect(doc.xds.repository.blobDir).to.equal('blobs');
  });

  it('leave a document without those keys as it was', () => {
    const doc = { mllp: { port: 2575 }, atna: { repositories: 'not an array' } };
    resolveFilePaths(doc, '/srv');
    expect(doc).to.deep.equal({ mllp: { port: 2575 }, atna: { repositories: 'not an array' } });
  });
});
