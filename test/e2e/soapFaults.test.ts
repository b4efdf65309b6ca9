/**
 * SOAP 1.2 faults over HTTP as the standards write them: the HTTP status of each fault code (SOAP
 * 1.2 Part 2 7.5.2.2, Table 20), the env:NotUnderstood blocks of a MustUnderstand fault (Part 1
 * 5.4.8), the env:Upgrade block of a VersionMismatch fault (Part 1 5.4.7), and the WS-Addressing 1.0
 * SOAP Binding 6.4 faults with their Detail. Every fault is checked against the SOAP 1.2 envelope and
 * WS-Addressing schemas with xmllint.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { expect } from 'chai';
import { NS } from '../../src/soap/namespaces.ts';
import type { XmlElement } from '../../src/xml/parse.ts';
import type { TestServer } from '../helpers/hieServer.ts';
import { ACTIONS, expectSchemaValid, faultOf, mtomBody, post, readReply, ReplyLog, startXdsServer, type Reply, type XdsClient } from '../helpers/xds.ts';

const SOAP = 'application/soap+xml; charset=UTF-8';
const QUERY = `<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><query:ResponseOption returnType="ObjectRef"/><rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"><rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'NOBODY^^^&amp;1.3.6.1.4.1.21367.2005.3.7&amp;ISO'</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot></rim:AdhocQuery></query:AdhocQueryRequest>`;

/** A request envelope with the given header blocks (the WS-Addressing ones written by the caller). */
const envelopeWith = (headers: string, body = QUERY) =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap12}" xmlns:wsa="${NS.wsa}"><s:Header>${headers}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
const action = (a: string = ACTIONS.iti18) => `<wsa:Action s:mustUnderstand="true">${a}</wsa:Action>`;
const messageId = () => `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>`;

const headerOf = (r: Reply): XmlElement[] => r.envelope.children.find((c) => c.local === 'Header')?.children ?? [];
const detailOf = (r: Reply): XmlElement | undefined => r.body.children.find((c) => c.local === 'Detail');

describe('SOAP 1.2 faults over HTTP (e2e)', function () {
  let s: TestServer;
  let c: XdsClient;
  const log = new ReplyLog();
  before(async () => {
    ({ s, c } = await startXdsServer([]));
  });
  after(async () => {
    await s.stop();
  });
  const send = async (xml: string, ct = SOAP) => log.add(await readReply(await post(c.port, c.registryPath, ct, xml)));

  it('MustUnderstand: HTTP 500 and one env:NotUnderstood block naming each header block not understood', async () => {
    const r = await send(
      envelopeWith(
        action() +
          messageId() +
          `<x:Transaction xmlns:x="urn:example:tx" s:mustUnderstand="true">5</x:Transaction>` +
          `<y:Priority xmlns:y="urn:example:prio" s:mustUnderstand="1" s:role="http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver">high</y:Priority>`,
      ),
    );
    expect(r.status).to.equal(500);
    expect(faultOf(r).code).to.equal('env:MustUnderstand');
    const blocks = headerOf(r).filter((h) => h.ns === NS.soap12 && h.local === 'NotUnderstood');
    expect(blocks.map((b) => b.attrs.qname)).to.deep.equal(['nu:Transaction', 'nu:Priority']);
    // Each qname's prefix is declared on its own block, to the block's namespace.
    expect(r.xml).to.contain('<env:NotUnderstood xmlns:nu="urn:example:tx" qname="nu:Transaction"/>');
    expect(r.xml).to.contain('<env:NotUnderstood xmlns:nu="urn:example:prio" qname="nu:Priority"/>');
  });

  it('leaves alone mandatory blocks for other roles and optional blocks (Part 1 5.2.2, 5.2.3): the request is answered', async () => {
    const r = await send(
      envelopeWith(
        action() +
          messageId() +
          `<x:Hop xmlns:x="urn:example:hop" s:mustUnderstand="true" s:role="urn:example:some-intermediary">1</x:Hop>` +
          `<x:None xmlns:x="urn:example:hop" s:mustUnderstand="true" s:role="http://www.w3.org/2003/05/soap-envelope/role/none">1</x:None>` +
          `<x:Hint xmlns:x="urn:example:hint">optional</x:Hint>`,
      ),
    );
    expect(r.status).to.equal(200);
    expect(r.body.local).to.equal('AdhocQueryResponse');
  });

  it('VersionMismatch (a SOAP 1.1 envelope): HTTP 500 and the env:Upgrade block naming the SOAP 1.2 envelope', async () => {
    const r = await send(`<s:Envelope xmlns:s="${NS.soap11}"><s:Body><a/></s:Body></s:Envelope>`);
    expect(r.status).to.equal(500);
    expect(faultOf(r).code).to.equal('env:VersionMismatch');
    const upgrade = headerOf(r).find((h) => h.ns === NS.soap12 && h.local === 'Upgrade')!;
    expect(upgrade, r.xml).to.not.equal(undefined);
    expect(upgrade.children.map((e) => [e.ns, e.local, e.attrs.qname])).to.deep.equal([[NS.soap12, 'SupportedEnvelope', 'env:Envelope']]);
    // The prefix env is the SOAP 1.2 namespace where the qname is read.
    expect(r.xml).to.contain(`xmlns:env="${NS.soap12}"`);
    const other = await send(`<s:Envelope xmlns:s="urn:example:soap-2"><s:Body><a/></s:Body></s:Envelope>`);
    expect(other.status).to.equal(500);
    expect(faultOf(other).code).to.equal('env:VersionMismatch');
  });

  it('a request without wsa:MessageID: HTTP 400, env:Sender, wsa:MessageAddressingHeaderRequired, wsa:ProblemHeaderQName wsa:MessageID', async () => {
    const r = await send(envelopeWith(action()));
    expect(r.status).to.equal(400);
    expect(faultOf(r)).to.include({ code: 'env:Sender', subcode: 'wsa:MessageAddressingHeaderRequired' });
    const problem = detailOf(r)!.children.find((e) => e.ns === NS.wsa && e.local === 'ProblemHeaderQName')!;
    expect(problem.text).to.equal('p:MessageID');
    expect(r.xml).to.contain(`<wsa:ProblemHeaderQName xmlns:wsa="${NS.wsa}" xmlns:p="${NS.wsa}">p:MessageID</wsa:ProblemHeaderQName>`);
    expect(headerOf(r).find((h) => h.local === 'RelatesTo'), 'no MessageID to relate to').to.equal(undefined);
    const empty = await send(envelopeWith(action() + '<wsa:MessageID>  </wsa:MessageID>'));
    expect(faultOf(empty).subcode).to.equal('wsa:MessageAddressingHeaderRequired');
    const noAction = await send(envelopeWith(messageId()));
    expect(detailOf(noAction)!.children[0].text).to.equal('p:Action');
  });

  it('an action not served: env:Sender, wsa:ActionNotSupported, wsa:ProblemAction in the Detail (6.4.4), related to the request', async () => {
    const id = `urn:uuid:${randomUUID()}`;
    const r = await send(envelopeWith(action('urn:example:NoSuchAction') + `<wsa:MessageID>${id}</wsa:MessageID>`));
    expect(r.status).to.equal(400);
    expect(faultOf(r)).to.include({ code: 'env:Sender', subcode: 'wsa:ActionNotSupported' });
    const problem = detailOf(r)!.children.find((e) => e.local === 'ProblemAction')!;
    expect(problem.children.find((e) => e.local === 'Action')!.text).to.equal('urn:example:NoSuchAction');
    expect(headerOf(r).find((h) => h.local === 'RelatesTo')!.text).to.equal(id);
  });

  it('Sender faults stay HTTP 400', async () => {
    const malformed = await send('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>');
    expect(malformed.status).to.equal(400);
    expect(faultOf(malformed).code).to.equal('env:Sender');
  });

  it('a 100 KB MIME part header block: env:Sender, hie:BadMimePackage (it was answered 200 before)', async () => {
    const pkg = mtomBody(envelopeWith(action(ACTIONS.iti41) + messageId(), '<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007"/>'), ACTIONS.iti41, [
      { contentId: 'doc@test', data: Buffer.from('hello') },
    ]);
    const padded = Buffer.from(pkg.body.toString('latin1').replace('Content-ID: <doc@test>\r\n', `Content-ID: <doc@test>\r\nX-Padding: ${'a'.repeat(100 * 1024)}\r\n`), 'latin1');
    const r = log.add(await readReply(await post(c.port, c.repositoryPath, pkg.contentType, padded)));
    expect(r.status).to.equal(400);
    expect(faultOf(r)).to.include({ code: 'env:Sender', subcode: 'hie:BadMimePackage' });
    expect(faultOf(r).reason).to.match(/MIME part headers exceed 16384 bytes/);
    // A boundary line that never ends is refused too, not held.
    const noEol = `--b1${' '.repeat(100 * 1024)}`;
    const r2 = log.add(await readReply(await post(c.port, c.repositoryPath, 'multipart/related; boundary="b1"; type="application/xop+xml"; start-info="application/soap+xml"', noEol)));
    expect(faultOf(r2).subcode).to.equal('hie:BadMimePackage');
  });

  it('a 100 KB HTTP header block: 431 Request Header Fields Too Large (RFC 6585 5)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: c.port, path: c.registryPath, method: 'POST', headers: { 'Content-Type': SOAP, 'X-Padding': 'a'.repeat(100 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(envelopeWith(action() + messageId()));
    });
    expect(status).to.equal(431);
  });

  it('every fault validates against the SOAP 1.2 envelope and WS-Addressing schemas (xmllint)', () => {
    expect(log.xmls.length).to.be.greaterThan(8);
    expectSchemaValid(log.xmls);
  });
});
