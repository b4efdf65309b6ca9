import { expect } from 'chai';
import type { Bundle, Parameters, Patient } from 'fhir/r4.js';
import { FhirSchemaValidator } from '../schemaValidator.ts';
import { parseFhirXml } from './parse.ts';
import { fhirXml } from './serialize.ts';
import { FhirXmlError, readXmlTree, type XmlNode } from './tree.ts';

const schema = new FhirSchemaValidator();
const valid = (r: { resourceType?: string }) => expect(schema.validate(r, r.resourceType!), `${r.resourceType} against the R4 schema`).to.deep.equal([]);
const parse = (xml: string) => parseFhirXml(xml, 100);
const refused = (xml: string) => {
  try {
    parse(xml);
  } catch (e) {
    expect(e).to.be.instanceOf(FhirXmlError);
    return (e as Error).message;
  }
  throw new Error('the XML was read');
};
const F = 'xmlns="http://hl7.org/fhir"';
/** Element names in document order, for order checks. */
const names = (n: XmlNode): string[] => n.children.filter((c): c is XmlNode => typeof c !== 'string').map((c) => c.local);

const EN_REPRESENTATION = 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation';

const patient: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { versionId: '1', lastUpdated: '2024-06-01T09:00:00.000+09:00', profile: ['https://profiles.ihe.net/ITI/PDQm/StructureDefinition/IHE.PDQm.Patient'] },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml" xml:lang="ja"><p>山田 <b>太郎</b> &amp; &lt;家族&gt;</p><br/>末尾</div>' },
  contained: [{ resourceType: 'Organization', id: 'org', name: '登呂病院' }],
  extension: [{ url: 'http://example.jp/fhir/StructureDefinition/note', valueString: 'a "quoted"\nline' }],
  identifier: [{ system: 'urn:oid:1.2.392.999.1', value: 'P-1' }],
  active: true,
  name: [
    { id: 'kanji', extension: [{ url: EN_REPRESENTATION, valueCode: 'IDE' }], use: 'official', family: '山田', given: ['太郎'] },
    { extension: [{ url: EN_REPRESENTATION, valueCode: 'SYL' }], use: 'official', family: 'ヤマダ', given: ['タロウ', 'ジロウ'], _given: [null, { id: 'g2', extension: [{ url: 'http://example.jp/x', valueBoolean: false }] }] } as never,
  ],
  gender: 'male',
  birthDate: '1970-01-01',
  _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1970-01-01T06:30:00+09:00' }] },
  deceasedBoolean: false,
  multipleBirthInteger: 2,
  managingOrganization: { reference: '#org' },
} as unknown as Patient;

describe('FHIR XML (R4 xml.html) from and to the JSON form, driven by the R4 schema', () => {
  it('round-trips a Patient: primitives, _element siblings, extensions, choice types, contained, narrative', () => {
    valid(patient);
    const xml = fhirXml(patient);
    expect(xml).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?><Patient xmlns="http:\/\/hl7.org\/fhir"><id value="p1"\/>/);
    // Datatype id and extension url as attributes; a primitive's extension inside it; typed values as written.
    expect(xml).to.contain('<name id="kanji"><extension url="http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"><valueCode value="IDE"/></extension>');
    expect(xml).to.contain('<given value="タロウ"/><given id="g2" value="ジロウ"><extension url="http://example.jp/x"><valueBoolean value="false"/></extension></given>');
    expect(xml).to.contain('<birthDate value="1970-01-01"><extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime">');
    expect(xml).to.contain('<active value="true"/>').and.contain('<multipleBirthInteger value="2"/>');
    expect(xml).to.contain('<valueString value="a &quot;quoted&quot;&#10;line"/>');
    expect(xml).to.contain('<contained><Organization><id value="org"/><name value="登呂病院"/></Organization></contained>');
    // The narrative as XHTML markup, not as escaped text.
    expect(xml).to.contain('<div xmlns="http://www.w3.org/1999/xhtml" xml:lang="ja"><p>山田 <b>太郎</b> &amp; &lt;家族&gt;</p><br/>末尾</div>');
    const back = parse(xml);
    expect(back).to.deep.equal(patient);
    valid(back);
  });

  it('writes elements in the definition order whatever the JSON key order, and reads them back', () => {
    const shuffled = Object.fromEntries(Object.entries(patient).reverse()) as Patient;
    const root = readXmlTree(fhirXml(shuffled), 100);
    expect(names(root)).to.deep.equal(['id', 'meta', 'text', 'contained', 'extension', 'identifier', 'active', 'name', 'name', 'gender', 'birthDate', 'deceasedBoolean', 'multipleBirthInteger', 'managingOrganization']);
    expect(parse(fhirXml(shuffled))).to.deep.equal(patient);
  });

  it('round-trips a Bundle and a Parameters: resources wrapped by their type, decimals and integers typed', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: 1,
      link: [{ relation: 'self', url: 'http://h/fhir/Patient?family=%E5%B1%B1%E7%94%B0&_format=xml' }],
      entry: [{ fullUrl: 'http://h/fhir/Patient/p1', resource: patient, search: { mode: 'match', score: 0.75 } }],
    };
    const parameters: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'count', valueInteger: -3 },
        { name: 'amount', valueQuantity: { value: 1.5e-7, unit: 'mg' } },
        { name: 'big', valueDecimal: 12345678.125 },
        { name: 'nested', part: [{ name: 'who', resource: { resourceType: 'Patient', id: 'x', active: false } as never }] },
      ],
    };
    for (const r of [bundle, parameters]) {
      valid(r);
      const xml = fhirXml(r);
      expect(parse(xml)).to.deep.equal(r);
    }
    expect(fhirXml(bundle)).to.contain('<resource><Patient><id value="p1"/>').and.contain('<score value="0.75"/>');
    expect(fhirXml(parameters)).to.contain('<valueInteger value="-3"/>').and.contain('<value value="1.5e-7"/>').and.contain('<valueDecimal value="12345678.125"/>');
  });

  it('types values as the schema says: booleans and numbers, their lexical form checked', () => {
    expect(parse(`<Patient ${F}><active value="false"/><multipleBirthInteger value="0"/></Patient>`)).to.deep.equal({ resourceType: 'Patient', active: false, multipleBirthInteger: 0 });
    expect(parse(`<Observation ${F}><status value="final"/><code><text value="x"/></code><valueQuantity><value value="0.010"/></valueQuantity></Observation>`)).to.deep.nested.include({ 'valueQuantity.value': 0.01 });
    expect(refused(`<Patient ${F}><active value="yes"/></Patient>`)).to.match(/Patient\.active.*not a boolean/);
    expect(refused(`<Patient ${F}><multipleBirthInteger value="2.5"/></Patient>`)).to.match(/not a valid integer/);
    expect(refused(`<Patient ${F}><multipleBirthInteger value=" 2"/></Patient>`)).to.match(/not a valid integer/);
  });

  it('refuses what FHIR XML does not allow, saying where', () => {
    expect(refused(`<Patient ${F}><colour value="red"/></Patient>`)).to.match(/Patient\.colour is not an element of Patient/);
    expect(refused(`<Patient ${F}><gender value="male"/><active value="true"/></Patient>`)).to.match(/out of order/);
    expect(refused(`<Patient ${F}><gender value="male"/><gender value="female"/></Patient>`)).to.match(/more than once/);
    expect(refused(`<Patient ${F}><active value="true">yes</active></Patient>`)).to.match(/holds text/);
    expect(refused(`<Patient ${F}><active/></Patient>`)).to.match(/neither a value/);
    expect(refused(`<Patient ${F}><active value="true" colour="red"/></Patient>`)).to.match(/attribute colour/);
    expect(refused('<Patient><active value="true"/></Patient>')).to.match(/not in http:\/\/hl7.org\/fhir/);
    expect(refused(`<HumanName ${F}/>`)).to.match(/not an R4 resource/);
    expect(refused(`<Patient ${F} id="p1"/>`)).to.match(/attribute id/);
    expect(refused(`<Patient ${F}><text><status value="generated"/><div>no namespace</div></text></Patient>`)).to.match(/XHTML namespace|not in/);
    expect(refused(`<Bundle ${F}><type value="collection"/><entry><resource/></entry></Bundle>`)).to.match(/exactly one resource/);
    expect(refused(`<Patient ${F}><active value="true"/>`)).to.match(/unclosed|end/i);
  });

  it('reads no DTD and expands no entity (XXE, entity expansion), bounds nesting, takes UTF-8 only', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Patient ${F}><id value="&xxe;"/></Patient>`;
    expect(refused(xxe)).to.match(/DOCTYPE/);
    const bomb = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Patient ${F}><id value="&lol2;"/></Patient>`;
    expect(refused(bomb)).to.match(/DOCTYPE/);
    expect(refused(`<Patient ${F}><id value="&xxe;"/></Patient>`)).to.match(/entity/i);
    const deep = `<Patient ${F}>${'<extension url="u">'.repeat(120)}${'</extension>'.repeat(120)}</Patient>`;
    expect(refused(deep)).to.match(/deeper than 100/);
    expect(refused(`<?xml version="1.0" encoding="Shift_JIS"?><Patient ${F}/>`)).to.match(/UTF-8/);
  });

  it('refuses to write what is not valid FHIR JSON rather than writing half of it', () => {
    expect(() => fhirXml({ resourceType: 'Patient', colour: 'red' })).to.throw(FhirXmlError, /colour/);
    expect(() => fhirXml({ resourceType: 'Patient', active: 'yes' })).to.throw(FhirXmlError, /boolean/);
    expect(() => fhirXml({ resourceType: 'Patient', name: { family: 'x' } })).to.throw(FhirXmlError, /array/);
    expect(() => fhirXml({ resourceType: 'Patient', text: { status: 'generated', div: '<div>x</div>' } })).to.throw(FhirXmlError, /XHTML/);
    expect(() => fhirXml({ resourceType: 'Nothing' })).to.throw(FhirXmlError, /not an R4 resource/);
  });
});
