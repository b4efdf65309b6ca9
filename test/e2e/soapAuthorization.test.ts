/**
 * The SOAP edge's node and role gate (issue 14) over real TLS with certificates from `hie certs`:
 * each XDS transaction names the roles that may call it (ITI-18 and ITI-43: consumer or gateway;
 * ITI-41, ITI-42, ITI-57, ITI-62: source); a peer whose certificate names no configured node, and a
 * node without the role, are refused with a SOAP Fault before the transaction runs, and audited.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { callSoap, SoapFaultError } from '../../src/soap/client.ts';
import { hie } from '../helpers/hieCommand.ts';
import { faultOf, securityAlerts } from '../helpers/soapFaults.ts';
import { tempDir, type TestServer } from '../helpers/hieServer.ts';
import { ACTIONS, DICOM_AUDIT_SCHEMA, expectSchemaValid, pid, retrieveRequest, startXdsServer, STATUS } from '../helpers/xds.ts';
import { submitObjectsRequest, uniqueOid } from '../helpers/xdsMetadata.ts';
import { APPROVED, QUERY, storedQuery } from '../helpers/xdsQuery.ts';

describe('SOAP node and role gate over TLS (issue 14)', function () {
  this.timeout(120_000);
  let s: TestServer;
  let certs: string;
  let base: string;
  const faults: string[] = [];
  const query = storedQuery(QUERY.FindDocuments, { $XDSDocumentEntryPatientId: pid('AUTHZ1'), $XDSDocumentEntryStatus: [APPROVED] });

  before(async () => {
    certs = path.join(tempDir(), 'certs');
    // 'stranger' holds a certificate of the same CA but is no configured node.
    const r = await hie(['certs', '--out', certs, 'server', 'feeder', 'viewer', 'stranger']);
    expect(r.code, r.stderr).to.equal(0);
    const p = (f: string) => path.join(certs, f);
    ({ s } = await startXdsServer(['AUTHZ1'], {
      http: { tls: { cert: p('server.pem'), key: p('server.key'), ca: p('ca.pem') } },
      nodes: [
        { name: 'feeder', subject: 'CN=feeder', roles: ['source'] },
        { name: 'viewer', subject: 'CN=viewer', roles: ['consumer'] },
      ],
    }));
    base = `https://127.0.0.1:${s.app.ports.http}/services`;
  });
  after(async () => {
    await s?.stop();
    if (faults.length) expectSchemaValid(faults);
  });

  const read = (f: string) => fs.readFileSync(path.join(certs, f));
  const call = (node: string, endpoint: 'registry' | 'repository', action: string, bodyXml: string, mtom = false) =>
    callSoap({ url: `${base}/${endpoint}`, action, bodyXml, mtom, tls: { ca: read('ca.pem'), cert: read(`${node}.pem`), key: read(`${node}.key`) } }).catch((e) => {
      if (e instanceof SoapFaultError) faults.push(e.envelopeXml);
      throw e;
    });
  const alerts = () => securityAlerts(s.app.store);
  const documentsFound = async () => {
    const body = await call('viewer', 'registry', ACTIONS.iti18, query);
    expect(body.attrs.status).to.equal(STATUS.success);
    return body.children.find((c) => c.local === 'RegistryObjectList')?.children.length ?? 0;
  };

  it('lets a consumer node query and retrieve', async () => {
    expect(await documentsFound()).to.equal(0);
    const body = await call('viewer', 'repository', ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: s.config.xds.repository.uniqueId, documentUniqueId: '1.2.3.404' }]));
    expect(body.local).to.equal('RetrieveDocumentSetResponse');
  });

  it("refuses a consumer-only node's ITI-42 with hie:NotAuthorized: nothing registered, a Security Alert naming the node", async () => {
    const before = (await alerts()).length;
    const f = await faultOf(call('viewer', 'registry', ACTIONS.iti42, submitObjectsRequest({ patientId: pid('AUTHZ1'), docs: [{ uniqueId: uniqueOid('1.2.392.999.1') }] })));
    expect(f.status).to.equal(400);
    expect(f.code).to.equal('env:Sender');
    expect(f.subcode).to.equal('hie:NotAuthorized');
    expect(f.reason).to.match(/ITI-42 refused: node viewer has none of the roles source/);
    expect(await documentsFound()).to.equal(0);
    const got = (await alerts()).slice(before);
    expect(got).to.have.length(1);
    expect(got[0].xml).to.contain('UserID="CN=viewer"').and.to.contain('AlternativeUserID="viewer"').and.to.contain('code="110132"');
    expectSchemaValid([got[0].xml], DICOM_AUDIT_SCHEMA);
  });

  it("refuses a source-only node's ITI-18 and ITI-43", async () => {
    expect((await faultOf(call('feeder', 'registry', ACTIONS.iti18, query))).subcode).to.equal('hie:NotAuthorized');
    const f = await faultOf(call('feeder', 'repository', ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: s.config.xds.repository.uniqueId, documentUniqueId: '1.2.3.404' }])));
    expect(f.subcode).to.equal('hie:NotAuthorized');
    expect(f.reason).to.match(/ITI-43 refused: node feeder has none of the roles consumer, gateway/);
  });

  it('refuses an ITI-18 from a certificate that names no configured node, and audits it by its certificate', async () => {
    const before = (await alerts()).length;
    const f = await faultOf(call('stranger', 'registry', ACTIONS.iti18, query));
    expect(f.subcode).to.equal('hie:NotAuthorized');
    expect(f.reason).to.match(/not a configured node/);
    const got = (await alerts()).slice(before);
    expect(got).to.have.length(1);
    const stranger = /<ActiveParticipant [^>]*UserID="CN=stranger"[^>]*>/.exec(got[0].xml)?.[0];
    expect(stranger, got[0].xml).to.be.a('string');
    // Matched to no node: no node name beside the certificate.
    expect(stranger).not.to.contain('AlternativeUserID');
  });

  it('refuses the unknown node before anything else: no ITI-42 of it is registered', async () => {
    const f = await faultOf(call('stranger', 'registry', ACTIONS.iti42, submitObjectsRequest({ patientId: pid('AUTHZ1'), docs: [{ uniqueId: uniqueOid('1.2.392.999.1') }] })));
    expect(f.subcode).to.equal('hie:NotAuthorized');
    expect(await documentsFound()).to.equal(0);
  });
});
