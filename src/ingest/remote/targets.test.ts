import { expect } from 'chai';
import { validate } from '../../server/config/load.ts';
import { parseRemoteTargets, TargetError } from './targets.ts';

describe('adapter targets (--to)', () => {
  const config = validate({});
  it('takes the XDS paths of the config, or the repository path the URL gives', () => {
    expect(parseRemoteTargets('mllp://10.0.0.5:2575,http://hie.example:8080', config)).to.deep.equal({
      mllp: { host: '10.0.0.5', port: 2575, tls: false },
      repositoryUrl: 'http://hie.example:8080/services/repository',
      registryUrl: 'http://hie.example:8080/services/registry',
    });
    expect(parseRemoteTargets('https://hie.example/xds/repo, mllp://[::1]:2575', config)).to.deep.equal({
      mllp: { host: '::1', port: 2575, tls: false },
      repositoryUrl: 'https://hie.example/xds/repo',
      registryUrl: 'https://hie.example/services/registry',
    });
  });
  it('takes mllps:// and https:// as TLS targets', () => {
    expect(parseRemoteTargets('mllps://hie.example:2576,https://hie.example:8443', config)).to.deep.equal({
      mllp: { host: 'hie.example', port: 2576, tls: true },
      repositoryUrl: 'https://hie.example:8443/services/repository',
      registryUrl: 'https://hie.example:8443/services/registry',
    });
  });
  it('refuses what is not both an MLLP and an HTTP target', () => {
    expect(() => parseRemoteTargets('mllp://h:2575', config)).to.throw(TargetError);
    expect(() => parseRemoteTargets('mllp://h,http://h', config)).to.throw(TargetError, /host and a port/);
    expect(() => parseRemoteTargets('ftp://h:1,mllp://h:2', config)).to.throw(TargetError);
    expect(() => parseRemoteTargets('nonsense', config)).to.throw(TargetError);
  });
});
