/**
 * The in-process validator gives the verdict xmllint gives with dicom2017c.xsd, on cases of our own,
 * valid and invalid, one per rule of the schema (the samples of the conformance material are compared
 * in test/conformance/atnaConformance.test.ts, received over syslog).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { conformanceDir, missingMessage } from '../../../test/helpers/conformance.ts';
import { tempDir } from '../../../test/helpers/hieServer.ts';
import { xmllintAvailable, xmllintValidate, XMLLINT_MISSING } from '../../../test/helpers/xmllint.ts';
import { AuditMessageReader } from './reader.ts';

const SCHEMA = path.join(conformanceDir(), 'schemas', 'atna', 'dicom2017c.xsd');

const coded = (el: string, code = '110112', extra = '') => `<${el} csd-code="${code}" codeSystemName="DCM" originalText="Query"${extra}/>`;

/** A valid message using every element of the schema; cases below change one thing in it. */
export const FULL_MESSAGE = `<?xml version="1.0" encoding="UTF-8"?>
<AuditMessage xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <EventIdentification EventActionCode="E" EventDateTime="2024-04-01T09:30:00.123+09:00" EventOutcomeIndicator="0">
    ${coded('EventID')}
    <EventTypeCode csd-code="ITI-9" codeSystemName="IHE Transactions" originalText="PIX Query" displayName="PIX Query"/>
    <EventOutcomeDescription>ok &amp; fine</EventOutcomeDescription>
    <PurposeOfUse csd-code="ETREAT" codeSystemName="2.16.840.1.113883.1.11.20448" originalText="Emergency Treatment"/>
  </EventIdentification>
  <ActiveParticipant UserID="HOSP_A|EHR" AlternativeUserID="123" UserName="佐藤 花子" UserIsRequestor="true" NetworkAccessPointID="10.0.0.1" NetworkAccessPointTypeCode="2">
    ${coded('RoleIDCode', '110153')}
    <MediaIdentifier>${coded('MediaType', '110030')}</MediaIdentifier>
  </ActiveParticipant>
  <ActiveParticipant UserID="REGION|HIE" UserIsRequestor="false"/>
  <AuditSourceIdentification AuditEnterpriseSiteID="REGION" AuditSourceID="HIE">
    <AuditSourceTypeCode csd-code="4"/>
    <AuditSourceTypeCode csd-code="X-LOCAL" codeSystemName="local" originalText="local"/>
  </AuditSourceIdentification>
  <ParticipantObjectIdentification ParticipantObjectID="A1^^^HOSP_A&amp;1.2.3&amp;ISO" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1" ParticipantObjectDataLifeCycle="6" ParticipantObjectSensitivity="N">
    <ParticipantObjectIDTypeCode csd-code="2" codeSystemName="RFC-3881" originalText="Patient Number"/>
    <ParticipantObjectName>YAMADA TARO</ParticipantObjectName>
    <ParticipantObjectDetail type="MSH-10" value="TVNHMQ=="/>
    <ParticipantObjectDescription>
      <MPPS UID="1.2.3.4"/>
      <Accession Number="ACC1"/>
      <SOPClass UID="1.2.840.10008.5.1.4.1.1.2" NumberOfInstances="2"><Instance UID="1.2.3.5"/><Instance UID="1.2.3.6"/></SOPClass>
      <ParticipantObjectContainsStudy><StudyIDs UID="1.2.3.7"/></ParticipantObjectContainsStudy>
      <Encrypted>false</Encrypted>
      <Anonymized> 0 </Anonymized>
    </ParticipantObjectDescription>
  </ParticipantObjectIdentification>
  <ParticipantObjectIdentification ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="24">
    <ParticipantObjectIDTypeCode csd-code="ITI-9" codeSystemName="IHE Transactions" originalText="PIX Query"/>
    <ParticipantObjectQuery>
      TVNIfF5+XCY=
    </ParticipantObjectQuery>
  </ParticipantObjectIdentification>
</AuditMessage>
`;

/** [label, the message]: each changes FULL_MESSAGE in one place. */
const change = (from: string | RegExp, to: string) => FULL_MESSAGE.replace(from, to);
const CASES: [string, string][] = [
  ['the full message', FULL_MESSAGE],
  ['minimal message', '<AuditMessage><EventIdentification EventDateTime="2024-01-01T00:00:00Z" EventOutcomeIndicator="0">' + coded('EventID') + '</EventIdentification><ActiveParticipant UserID="" UserIsRequestor="false"/><AuditSourceIdentification AuditSourceID="S"/></AuditMessage>'],
  ['no EventIdentification', change(/<EventIdentification[\s\S]*?<\/EventIdentification>/, '')],
  ['no ActiveParticipant', change(/<ActiveParticipant UserID="HOSP_A[\s\S]*?<\/ActiveParticipant>\s*<ActiveParticipant UserID="REGION\|HIE" UserIsRequestor="false"\/>/, '')],
  ['no AuditSourceIdentification', change(/<AuditSourceIdentification[\s\S]*?<\/AuditSourceIdentification>/, '')],
  ['two AuditSourceIdentification', change(/(<AuditSourceIdentification[\s\S]*?<\/AuditSourceIdentification>)/, '$1$1')],
  ['ActiveParticipant after AuditSourceIdentification', change(/(<AuditSourceIdentification[\s\S]*?<\/AuditSourceIdentification>)/, '$1<ActiveParticipant UserID="x" UserIsRequestor="true"/>')],
  ['EventTypeCode before EventID', change(/(<EventID [^>]*\/>)(\s*)(<EventTypeCode [^>]*\/>)/, '$3$2$1')],
  ['PurposeOfUse before EventOutcomeDescription', change(/(<EventOutcomeDescription>.*?<\/EventOutcomeDescription>)(\s*)(<PurposeOfUse [^>]*\/>)/, '$3$2$1')],
  ['two EventOutcomeDescription', change(/(<EventOutcomeDescription>.*?<\/EventOutcomeDescription>)/, '$1$1')],
  ['two EventID', change(/(<EventID [^>]*\/>)/, '$1$1')],
  ['no ParticipantObjectIDTypeCode', change(/<ParticipantObjectIDTypeCode csd-code="2"[^>]*\/>/, '')],
  ['both ParticipantObjectName and ParticipantObjectQuery', change('<ParticipantObjectName>YAMADA TARO</ParticipantObjectName>', '<ParticipantObjectName>YAMADA TARO</ParticipantObjectName><ParticipantObjectQuery>YWJj</ParticipantObjectQuery>')],
  ['ParticipantObjectDetail before ParticipantObjectName', change(/(<ParticipantObjectName>.*?<\/ParticipantObjectName>)(\s*)(<ParticipantObjectDetail [^>]*\/>)/, '$3$2$1')],
  ['two MediaIdentifier', change(/(<MediaIdentifier>.*?<\/MediaIdentifier>)/, '$1$1')],
  ['RoleIDCode after MediaIdentifier', change(/(<MediaIdentifier>.*?<\/MediaIdentifier>)/, '$1' + coded('RoleIDCode'))],
  ['empty MediaIdentifier', change(/<MediaIdentifier>.*?<\/MediaIdentifier>/, '<MediaIdentifier/>')],
  ['unknown element', change('<ActiveParticipant UserID="REGION|HIE" UserIsRequestor="false"/>', '<ActiveParticipant UserID="REGION|HIE" UserIsRequestor="false"><Extra/></ActiveParticipant>')],
  ['unknown element at the end', change('</AuditMessage>', '<Extension/></AuditMessage>')],
  ['element in another namespace', change('</AuditMessage>', '<x:Extension xmlns:x="urn:x"/></AuditMessage>')],
  ['default namespace on the root', change('<AuditMessage ', '<AuditMessage xmlns="urn:dicom" ')],
  ['prefixed root element in no namespace? no: a prefix bound to a namespace', change(/<AuditMessage([^>]*)>([\s\S]*)<\/AuditMessage>/, '<a:AuditMessage xmlns:a="urn:a"$1>$2</a:AuditMessage>')],
  ['xsi:schemaLocation attribute', change('<AuditMessage ', '<AuditMessage xsi:noNamespaceSchemaLocation="dicom.xsd" ')],
  ['xml:lang attribute', change('<ParticipantObjectName>', '<ParticipantObjectName xml:lang="ja">')],
  ['unknown attribute', change('AuditSourceID="HIE"', 'AuditSourceID="HIE" code="1"')],
  ['attribute named like a method of every object', change('AuditSourceID="HIE"', 'AuditSourceID="HIE" toString="1" constructor="2"')],
  ['RFC 3881 style code attribute', change(coded('EventID'), '<EventID code="110112" codeSystemName="DCM" displayName="Query"/>')],
  ['missing csd-code', change(coded('EventID'), '<EventID codeSystemName="DCM" originalText="Query"/>')],
  ['missing originalText', change(coded('EventID'), '<EventID csd-code="110112" codeSystemName="DCM"/>')],
  ['missing codeSystemName', change(coded('EventID'), '<EventID csd-code="110112" originalText="Query"/>')],
  ['AuditSourceTypeCode with csd-code only', change('<AuditSourceTypeCode csd-code="4"/>', '<AuditSourceTypeCode csd-code="whatever"/>')],
  ['AuditSourceTypeCode without csd-code', change('<AuditSourceTypeCode csd-code="4"/>', '<AuditSourceTypeCode codeSystemName="DCM"/>')],
  ['missing EventDateTime', change(' EventDateTime="2024-04-01T09:30:00.123+09:00"', '')],
  ['missing EventOutcomeIndicator', change(' EventOutcomeIndicator="0"', '')],
  ['missing EventActionCode (optional)', change(' EventActionCode="E"', '')],
  ['missing UserID', change('<ActiveParticipant UserID="REGION|HIE" ', '<ActiveParticipant ')],
  ['missing UserIsRequestor', change('UserID="REGION|HIE" UserIsRequestor="false"', 'UserID="REGION|HIE"')],
  ['missing AuditSourceID', change(' AuditSourceID="HIE"', '')],
  ['ParticipantObjectDetail without value', change('<ParticipantObjectDetail type="MSH-10" value="TVNHMQ=="/>', '<ParticipantObjectDetail type="MSH-10"/>')],
  ['SOPClass without NumberOfInstances', change(' NumberOfInstances="2"', '')],
  ['NumberOfInstances not an integer', change(' NumberOfInstances="2"', ' NumberOfInstances="two"')],
  ['NumberOfInstances signed', change(' NumberOfInstances="2"', ' NumberOfInstances="+2"')],
  ['MPPS without UID', change('<MPPS UID="1.2.3.4"/>', '<MPPS/>')],
  ['Encrypted not boolean', change('<Encrypted>false</Encrypted>', '<Encrypted>no</Encrypted>')],
  ['Description children out of order', change(/(<MPPS [^>]*\/>)(\s*)(<Accession [^>]*\/>)/, '$3$2$1')],
  ...[
    ['X', 'EventActionCode'],
    ['', 'EventActionCode'],
    [' E ', 'EventActionCode'],
    ['3', 'EventOutcomeIndicator'],
    ['00', 'EventOutcomeIndicator'],
    ['12', 'EventOutcomeIndicator'],
  ].map(([v, attr]): [string, string] => [`${attr}="${v}"`, change(new RegExp(`${attr}="[^"]*"`), `${attr}="${v}"`)]),
  ...['TRUE', 'yes', '1', ' true ', ''].map((v): [string, string] => [`UserIsRequestor="${v}"`, change('UserID="REGION|HIE" UserIsRequestor="false"', `UserID="REGION|HIE" UserIsRequestor="${v}"`)]),
  ...['6', '0', '5'].map((v): [string, string] => [`NetworkAccessPointTypeCode="${v}"`, change('NetworkAccessPointTypeCode="2"', `NetworkAccessPointTypeCode="${v}"`)]),
  ...['5', '0', '4'].map((v): [string, string] => [`ParticipantObjectTypeCode="${v}"`, change('ParticipantObjectTypeCode="1"', `ParticipantObjectTypeCode="${v}"`)]),
  ...['27', '26', '0'].map((v): [string, string] => [`ParticipantObjectTypeCodeRole="${v}"`, change('ParticipantObjectTypeCodeRole="1"', `ParticipantObjectTypeCodeRole="${v}"`)]),
  ...['16', '15'].map((v): [string, string] => [`ParticipantObjectDataLifeCycle="${v}"`, change('ParticipantObjectDataLifeCycle="6"', `ParticipantObjectDataLifeCycle="${v}"`)]),
  ...[
    '2024-01-01T00:00:00Z',
    '2024-01-01T00:00:00',
    '2024-01-01T24:00:00Z',
    '2024-01-01T24:00:01Z',
    '2024-02-29T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T00:60:00Z',
    '2024-01-01T00:00:60Z',
    '2024-01-01T00:00:00.Z',
    '2024-01-01T00:00:00.5Z',
    '2024-01-01T00:00:00+14:00',
    '2024-01-01T00:00:00+14:01',
    '2024-01-01T00:00:00+09',
    '2024-01-01t00:00:00Z',
    '20240101T000000Z',
    '2024-01-01',
    '0000-01-01T00:00:00Z',
    '-0001-01-01T00:00:00Z',
    '12024-01-01T00:00:00Z',
    '02024-01-01T00:00:00Z',
    ' 2024-01-01T00:00:00Z',
    'yesterday',
  ].map((v): [string, string] => [`EventDateTime="${v}"`, change(/EventDateTime="[^"]*"/, `EventDateTime="${v}"`)]),
  ...['', 'YWJj', 'YW Jj', 'YQ==', 'YQ= =', 'YR==', 'YWI=', 'YWJ=', 'YWJ', 'Y===', '=', 'YWJjYQ==YWJj', 'YW=j', '++//', 'YWJj!', 'Y*W*J*j', 'YWJ!', 'YQ=!=', 'ｙWJj'].map((v): [string, string] => [
    `ParticipantObjectQuery "${v}"`,
    change(/<ParticipantObjectQuery>[\s\S]*?<\/ParticipantObjectQuery>/, `<ParticipantObjectQuery>${v}</ParticipantObjectQuery>`),
  ]),
  ['ParticipantObjectDetail value not base64', change('value="TVNHMQ=="', 'value="MSG-1"')],
  ['text in element-only content', change('<AuditSourceTypeCode csd-code="4"/>', 'text<AuditSourceTypeCode csd-code="4"/>')],
  ['whitespace in empty content', change(coded('EventID'), '<EventID csd-code="110112" codeSystemName="DCM" originalText="Query"> </EventID>')],
  ['comment in empty content', change(coded('EventID'), '<EventID csd-code="110112" codeSystemName="DCM" originalText="Query"><!-- c --></EventID>')],
  ['processing instruction inside', change('<AuditSourceTypeCode csd-code="4"/>', '<?hie note?><AuditSourceTypeCode csd-code="4"/>')],
  ['CDATA text in EventOutcomeDescription', change('ok &amp; fine', '<![CDATA[ok & <fine>]]>')],
  ['element inside EventOutcomeDescription', change('ok &amp; fine', 'ok <b>fine</b>')],
  ['character reference', change('YAMADA TARO', '&#x5C71;&#30000;&#x1F600;')],
  ['CR LF line ends', FULL_MESSAGE.replace(/\n/g, '\r\n')],
  ['comments and processing instructions around the root', '<!-- before -->' + FULL_MESSAGE.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '') + '<?after x?><!-- after -->'],
  ['newline inside a base64 attribute value', change('value="TVNHMQ=="', 'value="TVNH\nMQ=="')],
  ['non-ASCII element name', change('</AuditMessage>', '<監査/></AuditMessage>')],
  ['namespaced attribute of a declared prefix', change('<AuditMessage ', '<AuditMessage xmlns:p="urn:p" p:x="1" ')],
  ['single-quoted attributes', change('AuditSourceID="HIE"', "AuditSourceID='HIE'")],
  ['XML declaration with standalone', FULL_MESSAGE.replace('encoding="UTF-8"?>', "encoding='UTF-8' standalone='yes' ?>")],
  ['empty prefix declaration (xmllint takes it)', change('<AuditMessage ', '<AuditMessage xmlns:p="" ')],
  ['end tag with whitespace', change('</AuditSourceIdentification>', '</AuditSourceIdentification  >')],
];

/** Cases that are not well-formed XML: both refuse them. */
const NOT_WELL_FORMED: [string, string][] = [
  ['unclosed element', FULL_MESSAGE.replace('</AuditMessage>', '')],
  ['undefined entity', change('ok &amp; fine', 'ok &nbsp; fine')],
  ['entity named like a method of every object', change('ok &amp; fine', 'ok &constructor; fine')],
  ['duplicate attribute', change('AuditSourceID="HIE"', 'AuditSourceID="HIE" AuditSourceID="X"')],
  ['truncated', FULL_MESSAGE.slice(0, 900)],
  ['unbound prefix', change('<ParticipantObjectName>', '<ParticipantObjectName y:a="1">')],
  ['text after the root', FULL_MESSAGE + 'tail'],
  ['a second root', FULL_MESSAGE + '<AuditMessage/>'],
  ['control character', change('YAMADA TARO', 'YAMADA\u0001TARO')],
  ['character reference to U+0000', change('YAMADA TARO', 'YAMADA&#0;TARO')],
  [']]> in text', change('ok &amp; fine', 'ok ]]> fine')],
  ['-- in a comment', change('<AuditSourceTypeCode csd-code="4"/>', '<!-- a -- b --><AuditSourceTypeCode csd-code="4"/>')],
  ['unterminated comment', change('</AuditMessage>', '<!-- </AuditMessage>')],
  ['unterminated CDATA', change('ok &amp; fine', '<![CDATA[ok')],
  ['processing instruction named xml', change('<AuditSourceTypeCode csd-code="4"/>', '<?xml version="1.0"?><AuditSourceTypeCode csd-code="4"/>')],
  ['unquoted attribute', change('AuditSourceID="HIE"', 'AuditSourceID=HIE')],
  ['< in an attribute', change('AuditSourceID="HIE"', 'AuditSourceID="H<E"')],
  ['bare & in an attribute', change('AuditSourceID="HIE"', 'AuditSourceID="H&E"')],
  ['bare & in text', change('ok &amp; fine', 'ok & fine')],
  ['mismatched end tag', change('</ParticipantObjectName>', '</ParticipantObjectname>')],
  ['attribute without whitespace before it', change('AuditEnterpriseSiteID="REGION" AuditSourceID="HIE"', 'AuditEnterpriseSiteID="REGION"AuditSourceID="HIE"')],
  ['same attribute through two prefixes', change('<AuditMessage ', '<AuditMessage xmlns:p="urn:a" xmlns:q="urn:a" p:x="1" q:x="2" ')],
  ['name starting with a digit', change('</AuditMessage>', '<1x/></AuditMessage>')],
  ['XML declaration not first', '\n' + FULL_MESSAGE],
  ['markup declaration in content', change('</AuditMessage>', '<!ELEMENT x ANY></AuditMessage>')],
];

describe('DICOM audit message validator (agrees with xmllint and dicom2017c.xsd)', function () {
  this.timeout(60_000);
  const reader = new AuditMessageReader();

  /** Writes the cases to files, runs xmllint once, and compares. */
  function compare(cases: [string, string][]) {
    if (!xmllintAvailable()) throw new Error(XMLLINT_MISSING);
    if (!fs.existsSync(SCHEMA)) throw new Error(missingMessage(SCHEMA));
    const dir = tempDir('hie-dicom-cases-');
    try {
      const files = cases.map(([, xml], i) => {
        const f = path.join(dir, `case-${i}.xml`);
        fs.writeFileSync(f, xml);
        return f;
      });
      const lint = xmllintValidate(SCHEMA, files);
      const disagreements: string[] = [];
      const verdicts: Record<string, boolean> = {};
      cases.forEach(([label, xml], i) => {
        const ours = reader.read(xml);
        const theirs = lint.get(files[i])!;
        const valid = ours.wellFormed && ours.errors.length === 0;
        verdicts[label] = valid;
        if (valid !== theirs.valid) {
          disagreements.push(`${label}: ours ${valid ? 'valid' : ours.errors.join('; ')} / xmllint ${theirs.valid ? 'valid' : theirs.errors.join('; ')}`);
        }
      });
      expect(disagreements, disagreements.join('\n')).to.deep.equal([]);
      return verdicts;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('on our cases, one per rule of the schema, valid and invalid', () => {
    const verdicts = compare(CASES);
    // Guard against cases that did not change anything, or a validator that calls everything valid.
    expect(Object.values(verdicts).filter((v) => v).length).to.be.greaterThan(20);
    expect(Object.values(verdicts).filter((v) => !v).length).to.be.greaterThan(40);
    expect(verdicts['the full message']).to.equal(true);
  });

  it('on XML that is not well-formed', () => {
    for (const [label, xml] of NOT_WELL_FORMED) {
      const r = reader.read(xml);
      expect(r.wellFormed, label).to.equal(false);
      expect(r.errors[0], label).to.match(/not well-formed/);
    }
    compare(NOT_WELL_FORMED);
    // A lone surrogate cannot reach the file (UTF-8 encodes it as U+FFFD); the scanner refuses it.
    expect(reader.read(change('YAMADA TARO', 'YAMADA\uD800TARO')).wellFormed).to.equal(false);
    // The reader starts afresh after a broken message.
    expect(reader.read(FULL_MESSAGE).errors).to.deep.equal([]);
  });

  it('reads every field of the message', () => {
    const m = reader.read(FULL_MESSAGE).message!;
    expect(m.actionCode).to.equal('E');
    expect(m.eventId).to.include({ code: '110112', codeSystemName: 'DCM', originalText: 'Query' });
    expect(m.eventTypes.map((t) => t.code)).to.deep.equal(['ITI-9']);
    expect(m.outcomeDescription).to.equal('ok & fine');
    expect(m.purposeOfUse[0].code).to.equal('ETREAT');
    expect(m.participants[0]).to.include({ userId: 'HOSP_A|EHR', userName: '佐藤 花子', requestor: 'true', networkAccessPointId: '10.0.0.1' });
    expect(m.participants[0].media!.code).to.equal('110030');
    expect(m.source).to.deep.include({ id: 'HIE', enterpriseSiteId: 'REGION' });
    expect(m.source.types.map((t) => t.code)).to.deep.equal(['4', 'X-LOCAL']);
    expect(m.objects[0]).to.include({ id: 'A1^^^HOSP_A&1.2.3&ISO', typeCode: '1', typeCodeRole: '1', name: 'YAMADA TARO' });
    expect(m.objects[0].descriptions[0].sopClasses[0].instances).to.deep.equal(['1.2.3.5', '1.2.3.6']);
    expect(m.objects[1].query).to.equal('TVNIfF5+XCY=');
  });
});
