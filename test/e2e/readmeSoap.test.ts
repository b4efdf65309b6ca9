/**
 * The SOAP samples of examples/soap/ and the lines README.md shows with them ("Documents: hie xds, and
 * SOAP by hand"): the samples are valid against the standard schemas (the ITI-41 envelope with its
 * XOP Include resolved, as XOP defines its infoset), and the README's curl and `hie xds` lines, read
 * from the README itself, work against a running server as they say.
 */
import { exec } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { field, startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt } from '../helpers/messages.ts';
import { expectSchemaValid } from '../helpers/xds.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples', 'soap');
const HOSP01 = { namespace: 'HOSP01', oid: '2.999.392.100.1' };

/** The parts of the ITI-41 sample: MIME lines end in CRLF (RFC 2046 5.1.1). */
function mtomParts(file: string): { headers: string; body: Buffer }[] {
  const bytes = fs.readFileSync(file);
  const text = bytes.toString('latin1');
  const boundary = /boundary="([^"]+)"/.exec(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'))![1];
  const pieces = text.split(`\r\n--${boundary}`);
  // The first piece is the preamble (and the first delimiter has no CRLF before it).
  const first = text.indexOf(`--${boundary}\r\n`);
  expect(first, 'the first boundary').to.be.greaterThan(-1);
  const afterPreamble = text.slice(first + boundary.length + 4).split(`\r\n--${boundary}`);
  expect(pieces.at(-1)!.startsWith('--'), 'the close delimiter').to.equal(true);
  return afterPreamble.slice(0, -1).map((p) => {
    const cut = p.indexOf('\r\n\r\n');
    return { headers: p.slice(0, cut), body: Buffer.from(p.slice(cut + 4), 'latin1') };
  });
}

/** The lines of the README's SOAP block that run something, in order. */
function readmeLines(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- soap-examples:begin -->\n```sh\n([\s\S]*?)```\n<!-- soap-examples:end -->/.exec(readme);
  expect(block, 'the soap-examples block of README.md').to.not.equal(null);
  return block![1].split('\n').filter((l) => l.startsWith('curl ') || l.startsWith('npm run --silent hie -- '));
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    exec(command, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr }));
  });
}

describe('examples/soap and the README lines that send them (e2e)', function () {
  this.timeout(120_000);

  it('are valid against the XDS.b, ebRS 3.0, SOAP 1.2 and WS-Addressing schemas', () => {
    const plain = ['iti18-find-documents.xml', 'iti43-retrieve-document.xml'].map((f) => fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
    const [root, doc] = mtomParts(path.join(EXAMPLES, 'iti41-provide-and-register.mtom'));
    expect(root.headers).to.contain('Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"');
    expect(root.headers).to.contain('Content-ID: <envelope@example>');
    expect(doc.headers).to.contain('Content-ID: <document01@example>');
    const envelope = root.body.toString('utf8');
    expect(envelope).to.contain('<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:document01@example"/>');
    // The XOP infoset: the Include stands for the part's bytes in base64 (XOP 1.0 3.2).
    const decoded = envelope.replace(/<xop:Include [^>]*\/>/, doc.body.toString('base64'));
    expectSchemaValid([...plain, decoded]);
  });

  describe('against a running server', () => {
    let s: TestServer;
    let lines: string[];
    const outputs: { line: string; code: number; stdout: string; stderr: string }[] = [];
    const work = tempDir('hie-readme-');

    before(async () => {
      s = await startTestServer({ identity: { domains: [HOSP01] } } as never);
      // The demo's R0000000001: HOSP01's patient 07494100, the first patient this server registers.
      const ack = await s.send(adt({ ids: [`07494100^^^${HOSP01.namespace}&${HOSP01.oid}&ISO`] }));
      expect(field(ack, 'MSA', 1)).to.equal('AA');
      expect((await s.app.store.read((tx) => tx.identity.person(1)))!.regionalId).to.equal('R0000000001');
      lines = readmeLines();
      const base = `http://127.0.0.1:${s.app.ports.http}`;
      const env = { HIE_HTTP_PORT: String(s.app.ports.http), HIE_MLLP_PORT: String(s.mllpPort), HIE_DATA_DIR: s.dataDir }; // the server's folder: its regional authority
      for (const line of lines) {
        // The same request on this server's ports; `npm run --silent hie --` is the package's `hie` script.
        const command = line.startsWith('curl ')
          ? line.replace(/http:\/\/localhost:8080/g, base)
          : line.replace('npm run --silent hie -- ', `node --max-semi-space-size=64 --import ${pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href} ${path.join(ROOT, 'src/cli/main.ts')} `);
        outputs.push({ line, ...(await run(command, line.startsWith('curl ') ? ROOT : work, env)) });
      }
    });
    after(async () => {
      await s?.stop();
    });
    const out = (re: RegExp) => {
      const o = outputs.find((x) => re.test(x.line));
      expect(o, `a README line matching ${re}`).to.not.equal(undefined);
      expect(o!.code, `${o!.line}\n${o!.stderr}`).to.equal(0);
      return o!.stdout;
    };

    it('shows three curl lines and three hie xds lines', () => {
      expect(lines.filter((l) => l.startsWith('curl '))).to.have.length(3);
      expect(lines.filter((l) => l.includes(' xds '))).to.have.length(3);
    });

    it('ITI-41 by curl: the MTOM package is registered', () => {
      const o = out(/iti41-provide-and-register/);
      expect(o).to.contain('ProvideAndRegisterDocumentSet-bResponse');
      expect(o).to.contain('status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"');
    });

    it('ITI-18 by curl: FindDocuments lists the letter', () => {
      const o = out(/iti18-find-documents/);
      expect(o).to.contain('AdhocQueryResponse');
      expect(o).to.contain('ResponseStatusType:Success');
      expect(o).to.contain('value="2.999.392.1.30.1.1"');
    });

    it('ITI-43 by curl: the answer carries the letter\'s bytes', () => {
      const o = out(/iti43-retrieve-document/);
      const [, doc] = mtomParts(path.join(EXAMPLES, 'iti41-provide-and-register.mtom'));
      expect(o).to.contain('RetrieveDocumentSetResponse');
      expect(o).to.contain(doc.body.toString('utf8'));
    });

    it('hie xds find, by regional and by local ID, and hie xds get write what was sent', () => {
      expect(out(/xds find R0000000001/)).to.match(/^1 document of R0000000001\^\^\^&2\.999\.392\.1\.2&ISO/);
      expect(out(/xds find 07494100/)).to.contain('2.999.392.1.30.1.1  Approved');
      expect(out(/xds get/)).to.contain('2.999.392.1.30.1.1: ');
      const [, doc] = mtomParts(path.join(EXAMPLES, 'iti41-provide-and-register.mtom'));
      expect(fs.readFileSync(path.join(work, 'referral.txt')).equals(doc.body)).to.equal(true);
    });
  });
});
