import { expect } from 'chai';
import { organizationPseudonym } from '../../identity/token/issuer.ts';
import type { Domain } from '../../identity/types.ts';
import { mergedStatus } from '../iti38/initiating.ts';
import { linkPatientId, queryPatientId, withPatient } from './crossIdentity.ts';

const TOKEN: Domain = { key: 'MFTOKEN&2.999.392.1.1&ISO', namespace: 'MFTOKEN', oid: '2.999.392.1.1', type: 'ISO', kind: 'token' };
const LINK = { key: 'LINK&1.2.3.9&ISO', namespace: 'LINK', oid: '1.2.3.9', type: 'ISO', kind: 'pseudonym' as const, secret: Buffer.from('link-secret-0123456789') };

describe('the patient across a link, and the merged status of the Initiating Gateway', () => {
  it("names the patient with the link's key: the token, or the link's pseudonym of it", () => {
    expect(linkPatientId({ mode: 'token', domain: TOKEN }, 'TOK1')).to.equal('TOK1^^^&2.999.392.1.1&ISO');
    expect(linkPatientId({ mode: 'pseudonym', domain: LINK }, 'TOK1')).to.equal(`${organizationPseudonym(LINK.secret, 'TOK1')}^^^&1.2.3.9&ISO`);
    expect(linkPatientId({ mode: 'pseudonym', domain: LINK }, 'TOK1')).to.not.contain('TOK1');
  });

  it('finds and replaces every patient parameter of a stored query, leaving the others', () => {
    const params = [
      { name: '$XDSDocumentEntryStatus', values: ["('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')"] },
      { name: '$patientId', values: ["'R1^^^&2.999.392.1.2&ISO'"] },
    ];
    expect(queryPatientId(params)).to.deep.equal({ name: '$patientId', value: 'R1^^^&2.999.392.1.2&ISO' });
    const out = withPatient(params, "T'1^^^&2.999.392.1.1&ISO");
    expect(out[0]).to.equal(params[0]);
    expect(out[1].values).to.deep.equal(["'T''1^^^&2.999.392.1.1&ISO'"]);
    expect(queryPatientId([{ name: '$XDSDocumentEntryEntryUUID', values: ["('urn:uuid:1')"] }])).to.equal(undefined);
  });

  it('is Success when every community answered, PartialSuccess when some failed, Failure when all did', () => {
    const ok = { failed: false, errors: [] };
    const bad = { failed: true, errors: [{ errorCode: 'XDSUnavailableCommunity', codeContext: '', severity: 'Error' as const }] };
    const warned = { failed: false, errors: [{ errorCode: 'XDSExtraMetadataNotSaved', codeContext: '', severity: 'Warning' as const }] };
    expect(mergedStatus([ok, ok, warned])).to.equal('Success');
    expect(mergedStatus([ok, bad])).to.equal('PartialSuccess');
    expect(mergedStatus([bad, bad])).to.equal('Failure');
  });
});
