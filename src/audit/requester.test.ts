import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { conformanceDir } from '../../test/helpers/conformance.ts';
import { tempDir } from '../../test/helpers/hieServer.ts';
import { xmllintValidate } from '../../test/helpers/xmllint.ts';
import { internalContext, type RequestContext } from '../kernel/requestContext.ts';
import { auditMessageXml } from './auditMessage.ts';
import type { AuditService } from './auditService.ts';
import { authorizationFailure } from './securityAlert.ts';
import { nodeParticipant } from './requester.ts';

const audit = {
  applicationParticipant: { userId: 'HIE', alternativeUserId: '1', userIsRequestor: false, roleIdCodes: [{ code: '110150', codeSystemName: 'DCM', originalText: 'Application' }] },
  sourceIdentification: { id: 'HIE', enterpriseSiteId: 'REGIONAL_HIE', typeCodes: [{ code: '4', codeSystemName: 'DCM', originalText: 'Application Server' }] },
} as unknown as AuditService;

const ctx: RequestContext = {
  transport: 'soap',
  address: '::ffff:192.0.2.7',
  certificate: { subject: 'CN=hosp-a,O=Hospital A', fingerprint256: 'AB:CD' },
  node: { name: 'hosp-a', facilities: ['1.2.392.999.1'], sourceIds: ['1.2.392.999.1'], auditSourceIds: ['hosp-a'], roles: new Set(['consumer']), breakGlass: new Set(), requireAssertion: false },
  user: { id: 'dr.sato', alias: 'sato', name: '佐藤 医師', role: { code: '224608005', codeSystem: '2.16.840.1.113883.6.96', displayName: 'Physician' }, issuer: 'https://idp.example', assertionId: '_a1' },
  purposeOfUse: { code: 'EMERGENCY', codeSystem: '2.16.840.1.113883.3.18.7.1' },
};

describe('audit: who asked', () => {
  it('names the node by its certificate and the user as alias<user@issuer>, with the purpose of use', () => {
    const m = authorizationFailure(audit, ctx, { transaction: 'ITI-42', endpoint: 'http://127.0.0.1/services/registry', reason: 'sourceId is not the node facility' });
    const node = m.participants.find((p) => p.alternativeUserId === 'hosp-a')!;
    expect(node).to.include({ userId: 'CN=hosp-a,O=Hospital A', networkAccessPointId: '192.0.2.7', userIsRequestor: true });
    const user = m.participants.find((p) => p.userId === 'dr.sato')!;
    expect(user.userName).to.equal('sato<dr.sato@https://idp.example>');
    expect(user.roleIdCodes[0].code).to.equal('224608005');
    expect(m.purposeOfUse?.[0].code).to.equal('EMERGENCY');
    expect(m.eventTypeCodes[0].code).to.equal('110132');
    const file = path.join(tempDir(), 'alert.xml');
    fs.writeFileSync(file, auditMessageXml(m));
    const v = xmllintValidate(path.join(conformanceDir(), 'schemas', 'atna', 'dicom2017c.xsd'), [file]).get(file)!;
    expect(v.errors, v.errors.join('\n')).to.deep.equal([]);
    expect(v.valid).to.equal(true);
  });

  it('names no node for work the server does on its own, and an unmatched peer by its address', () => {
    expect(nodeParticipant(internalContext())).to.equal(undefined);
    expect(nodeParticipant({ transport: 'mllp', address: '127.0.0.1' })?.userId).to.equal('unknown:127.0.0.1');
  });
});
