import { expect } from 'chai';
import { encodeMessage } from '../../src/hl7v2/charset.ts';
import { slotValue, type ExtrinsicObject } from '../../src/ebxml/rim.ts';
import { DocumentEntrySchemes, Status } from '../../src/xds/registry/schemes.ts';
import { field, startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { samples } from '../helpers/ssmix2.ts';
import { ACTIONS, retrievedDocuments, retrieveRequest, XdsClient } from '../helpers/xds.ts';

const FACILITY = { namespace: 'HIS123', oid: '2.999.392.100.1', sourceApplication: 'HIS', sourceFacility: 'HOSP' };

describe('HL7 v2 clinical feed over MLLP (e2e)', function () {
  this.timeout(30_000);
  let s: TestServer;
  const send = (text: string) => s.send(encodeMessage(text, 'iso-2022-jp'));
  const documents = async () => {
    const person = await s.app.store.read(async (tx) => (await tx.identity.record(FACILITY.oid, '1234567'))?.personId);
    return s.app.store.read((tx) => tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [person!], statuses: [Status.approved, Status.deprecated] }, 100));
  };
  const typeOf = (e: ExtrinsicObject) => e.classifications.find((c) => c.classificationScheme === DocumentEntrySchemes.typeCode)!.nodeRepresentation;

  beforeEach(async () => {
    s = await startTestServer({ identity: { domains: [FACILITY] } as never });
    expect(field(await send(samples.adt00('1234567')), 'MSA', 1), 'ITI-8 feed of the patient').to.equal('AA');
  });
  afterEach(async () => {
    await s.stop();
  });

  it('acknowledges RDE^O11 once it is registered, and gives the bytes back over ITI-43', async () => {
    const rde = samples.rde('1234567', '500');
    const ack = await send(rde);
    expect(field(ack, 'MSA', 1), ack).to.equal('AA');
    const docs = await documents();
    expect(docs).to.have.length(1);
    const e = docs[0].object as ExtrinsicObject;
    expect(typeOf(e)).to.equal('OMP-01');
    expect(slotValue(e, 'sourcePatientId')).to.equal(`1234567^^^&${FACILITY.oid}&ISO`);
    const c = new XdsClient(s.app.ports.http!);
    const r = await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: s.config.xds.repository.uniqueId, documentUniqueId: docs[0].uniqueId! }]));
    expect(retrievedDocuments(r).get(docs[0].uniqueId!)!.equals(encodeMessage(rde, 'iso-2022-jp'))).to.equal(true);

    // The same message sent again (same MSH-10): acknowledged, not registered twice.
    expect(field(await send(rde), 'MSA', 1)).to.equal('AA');
    expect(await documents()).to.have.length(1);
  });

  it('files each message under its data type: injections, exams, results', async () => {
    const injection = samples.rde('1234567', '600').replace('RXR|PO^口^HL70162', 'RXR|IV^静脈内^HL70162');
    expect(field(await send(injection), 'MSA', 1)).to.equal('AA');
    const oru = [
      'MSH|^~\\&|HIS|HOSP|GW|RCV|20240401120000||ORU^R01^ORU_R01|ORU1|P|2.5||||||~ISO IR87||ISO 2022-1994',
      'PID|0001||1234567^^^^PI||山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P||19650415|M',
      'OBR|1|700||9A110^標準１２誘導心電図^JC10|||20240401',
      'OBX|1|TX|9A100&IMP^心電図所見^JC10||正常範囲||||||F',
    ].join('\r');
    expect(field(await send(oru), 'MSA', 1)).to.equal('AA');
    const types = (await documents()).map((d) => typeOf(d.object as ExtrinsicObject)).sort();
    expect(types).to.deep.equal(['OMG-13', 'OMP-02']);
  });

  it('deprecates an order cancelled by a later message (ORC-1 CA)', async () => {
    expect(field(await send(samples.rde('1234567', '800', undefined, '20240401093000')), 'MSA', 1)).to.equal('AA');
    const cancel = samples.rde('1234567', '800', undefined, '20240401093000').replace('ORC|NW|', 'ORC|CA|').replace('|20240401101500||RDE', '|20240401111500||RDE');
    expect(field(await send(cancel), 'MSA', 1)).to.equal('AA');
    const docs = await documents();
    expect(docs.map((d) => d.status.split(':').pop())).to.deep.equal(['Deprecated', 'Deprecated']);
  });

  it('refuses an ADT-00 of more PID-3 repetitions than pix.maxIdentifiers with AR 207, adding no identifier', async () => {
    const extra = Array.from({ length: 10_000 }, (_, i) => `~X${i}^^^OTHER&2.999.392.100.9&ISO`).join('');
    const ack = await send(samples.adt00('1234567', undefined, extra));
    expect(field(ack, 'MSA', 1)).to.equal('AR');
    expect(field(ack, 'ERR', 2)).to.equal('PID^1^3^21');
    expect(await s.app.store.read((tx) => tx.identity.record('2.999.392.100.9', 'X0'))).to.equal(undefined);
  });

  it('answers AE 204 for an unknown patient or an unknown sending facility, and registers nothing', async () => {
    const unknownPatient = await send(samples.rde('7654321', '900'));
    expect(field(unknownPatient, 'MSA', 1)).to.equal('AE');
    expect(field(unknownPatient, 'ERR', 2)).to.equal('PID^1^3');
    expect(field(unknownPatient, 'ERR', 3)).to.match(/^204/);
    const unknownFacility = await send(samples.rde('1234567', '901').replace('|HIS|HOSP|', '|OTHER|ELSEWHERE|'));
    expect(field(unknownFacility, 'MSA', 1)).to.equal('AE');
    expect(field(unknownFacility, 'ERR', 2)).to.equal('MSH^1^4');
    expect(await documents()).to.have.length(0);
  });
});
