import { expect } from 'chai';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
import { errorsOf } from './registryErrors.ts';

describe('registry errors of a failure', () => {
  it('answers a database that went away with XDSRegistryError (XDSRepositoryError at the repository), not as an internal error', () => {
    const e = new StoreUnavailableError('PostgreSQL at db:5432/hie is unavailable: connect ECONNREFUSED');
    expect(errorsOf(e)).to.deep.equal({
      errors: [{ errorCode: 'XDSRegistryError', codeContext: 'the database is unavailable: the request was not processed; send it again later', severity: 'Error' }],
      internal: false,
    });
    expect(errorsOf(e, 'XDSRepositoryError').errors[0].errorCode).to.equal('XDSRepositoryError');
  });
});
