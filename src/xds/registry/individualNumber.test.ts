import { expect } from 'chai';
import type { ExtrinsicObject } from '../../ebxml/rim.ts';
import { IndividualNumberDomain } from '../../identity/individualNumber/domain.ts';
import { XdsErrors } from './errors.ts';
import { refuseIndividualNumbers } from './individualNumber.ts';

const N = '123456789018';
const domain = (screening = false) => new IndividualNumberDomain({ namespace: 'MYNUMBER', oid: '2.999.392.1.9', authorities: [], typeCodes: ['MN'], freeTextScreening: { enabled: screening } });
const entry = (slots: [string, string[]][], patientId = 'P1^^^&1.3.6.1.4.1.21367.2005.3.7&ISO'): ExtrinsicObject => ({
  type: 'ExtrinsicObject',
  id: 'Document01',
  slots: slots.map(([name, values]) => ({ name, values })),
  name: [],
  description: [],
  classifications: [],
  externalIdentifiers: [
    { type: 'ExternalIdentifier', id: 'ei1', registryObject: 'Document01', identificationScheme: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427', value: patientId, slots: [], name: [], description: [], classifications: [], externalIdentifiers: [] },
  ],
});
const refusal = (o: ExtrinsicObject, screening = false) => {
  try {
    refuseIndividualNumbers([o], domain(screening));
    return undefined;
  } catch (e) {
    expect(e).to.be.instanceOf(XdsErrors);
    return JSON.stringify({ message: (e as Error).message, e });
  }
};

describe('XDS submissions naming an individual number', () => {
  it('refuses sourcePatientId, sourcePatientInfo PID-3 or patientId in the domain, saying where and never what', () => {
    for (const o of [
      entry([['sourcePatientId', [`${N}^^^&urn:oid:2.999.392.1.9&ISO`]]]),
      entry([['sourcePatientInfo', ['PID-3|L1^^^&1.2.3&ISO', `PID-3|${N}^^^MYNUMBER`]]]),
      entry([], `${N}^^^&2.999.392.1.9&ISO`),
    ]) {
      const e = refusal(o);
      expect(e).to.match(/XDSRegistryMetadataError/);
      expect(e).to.not.contain(N);
    }
  });

  it('accepts other domains, and screens sourcePatientInfo free text only when configured', () => {
    const o = entry([['sourcePatientId', ['L1^^^&1.2.3&ISO']], ['sourcePatientInfo', ['PID-5|山田^太郎', `PID-13|${N}`]]]);
    expect(refusal(o)).to.equal(undefined);
    expect(refusal(o, true)).to.match(/slot sourcePatientInfo/);
  });
});
