import { expect } from 'chai';
import { outcomeOfBody } from './endpoint.ts';

describe('the outcome of a SOAP response Body (metrics, the transaction log)', () => {
  const rs = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:';
  it('is the status of its RegistryResponse (ebRS 3.0 2.1.5)', () => {
    expect(outcomeOfBody(`<rs:RegistryResponse xmlns:rs="x" status="${rs}Success"/>`)).to.equal('success');
    expect(outcomeOfBody(`<query:AdhocQueryResponse status="${rs}PartialSuccess"><x/></query:AdhocQueryResponse>`)).to.equal('partial');
    expect(outcomeOfBody(`<xdsb:RetrieveDocumentSetResponse><rs:RegistryResponse status="${rs}Failure"><rs:RegistryErrorList/></rs:RegistryResponse></xdsb:RetrieveDocumentSetResponse>`)).to.equal('error');
  });

  it('is success for a Body without one', () => {
    expect(outcomeOfBody('<ok/>')).to.equal('success');
  });
});
