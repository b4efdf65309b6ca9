/**
 * `hie xds find` and `hie xds get`: a Document Consumer on the command line, so that nobody writes SOAP
 * by hand to see a document. Real SOAP 1.2 clients of a running HIE (src/soap/client.ts): ITI-18
 * FindDocuments and GetDocuments at the registry, ITI-43 at the repository, and ITI-9 at the PIX
 * Manager when the patient is named by a facility's local ID.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../kernel/config.ts';
import { describeTlsFailure, readTlsClientFiles, TlsFilesError, type TlsClientPem } from '../kernel/tlsClient.ts';
import { PixQueryError, queryRegionalId } from '../pix/consumer/pixQuery.ts';
import { callSoap, callSoapWithAttachments, SoapClientError } from '../soap/client.ts';
import { XDS } from '../xds/transactions.ts';
import { integrityProblem, retrievedDocuments, retrieveRequest, RetrieveError } from '../xds/consumer/retrieve.ts';
import { documentSummaries, findDocumentsRequest, getDocumentsRequest, RegistryQueryError, type DocumentSummary } from '../xds/consumer/storedQuery.ts';
import { commonOptions, configFrom, UsageError } from './args.ts';
import { documentListText } from './xdsList.ts';
import { DisplayNames } from '../atna/report/displayNames.ts';

export const xdsHelp = `hie xds: find and retrieve documents of a running HIE (a Document Consumer)

Usage: hie xds find PATIENT [--facility F] [options]
       hie xds get UNIQUEID --out FILE [options]

find  lists a patient's documents (ITI-18 FindDocuments): uniqueId, status, title, class and type,
      facility, creation time, size, MIME type, repository. PATIENT is the regional ID
      (R0000000001, or R0000000001^^^&OID&ISO), or a facility's local ID: 0001234 --facility HOSP_A,
      or 0001234^^^HOSP_A&1.2.392.999.1&ISO; a local ID is turned into the regional ID by an ITI-9
      PIX Query over MLLP first.
get   retrieves one document by its uniqueId (ITI-18 GetDocuments for its repository, hash and size,
      then ITI-43 Retrieve Document Set), checks its SHA-1 and size against the registry, and writes
      its bytes to FILE. A document whose bytes do not match is not written.

Options:
  --url URL            the HIE's HTTP base (default: http://, or https:// when config http.tls is set,
                       with the config's http.host and http.port); the registry and repository paths
                       are the config's xds.registry.path and xds.repository.path
  --pix URL            the PIX Manager for a local ID: mllp://HOST:PORT or mllps://HOST:PORT
                       (default: the config's mllp.host and mllp.port, mllps when mllp.tls is set)
  --facility F         the facility of a local PATIENT: a namespace or OID of identity.domains
  --all                find: Deprecated documents too (default: Approved only)
  --format FORMAT      find: text (default) or json
  --out FILE           get: where the document's bytes go
  --ca FILE            over TLS: the CA that signs the HIE's certificate (PEM)
  --cert FILE          over TLS: this node's certificate (PEM), with --key FILE its key
  --config FILE        configuration file (JSON); also HIE_CONFIG
  -h, --help           this text

Exit status: 0 done, 1 the HIE refused or could not be reached, or the bytes did not match, 2 usage error.
`;

interface Endpoints {
  registry: string;
  repository: string;
  tls?: TlsClientPem;
}

export async function xds(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    process.stdout.write(xdsHelp);
    return action === undefined ? 2 : 0;
  }
  if (action !== 'find' && action !== 'get') throw new UsageError(`hie xds: unknown action '${action}' (find or get)\n\n${xdsHelp}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...commonOptions,
      url: { type: 'string' },
      pix: { type: 'string' },
      facility: { type: 'string' },
      all: { type: 'boolean' },
      format: { type: 'string' },
      out: { type: 'string' },
      ca: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(xdsHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`hie xds ${action}: give one ${action === 'find' ? 'PATIENT' : 'UNIQUEID'}\n\n${xdsHelp}`);
  const config = configFrom({ ...values, 'log-level': 'silent' });
  let tls: TlsClientPem;
  try {
    tls = readTlsClientFiles({ ca: values.ca, cert: values.cert, key: values.key });
  } catch (e) {
    if (e instanceof TlsFilesError) throw new UsageError(`hie xds: ${e.message}`);
    throw e;
  }
  const endpoints = endpointsOf(config, values.url, tls);
  try {
    if (action === 'find') {
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'json') throw new UsageError('hie xds find: --format is text or json');
      const patientId = await affinityPatientId(config, positionals[0], values.facility, values.pix, tls);
      const found = await find(endpoints, findDocumentsRequest(patientId, values.all));
      const names = DisplayNames.fromConfig(config);
      process.stdout.write(format === 'json' ? JSON.stringify(found, null, 2) + '\n' : documentListText(patientId, endpoints.registry, found, (code) => names.facility(code)));
      return 0;
    }
    if (!values.out) throw new UsageError('hie xds get: --out FILE is required');
    return await get(endpoints, positionals[0], values.out);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    process.stderr.write(`hie xds ${action}: ${failure(e, endpoints)}\n`);
    return 1;
  }
}

function endpointsOf(config: Config, url: string | undefined, tls: TlsClientPem): Endpoints {
  let base: URL;
  try {
    const host = ['0.0.0.0', '::'].includes(config.http.host) ? '127.0.0.1' : config.http.host;
    base = new URL(url ?? `${config.http.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`);
  } catch {
    throw new UsageError(`hie xds: --url '${url}' is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError('hie xds: --url is http:// or https://');
  return { registry: new URL(config.xds.registry.path, base).href, repository: new URL(config.xds.repository.path, base).href, tls: base.protocol === 'https:' ? tls : undefined };
}

/** The patient ID in the XDS affinity domain (CX id^^^&OID&ISO, ITI TF-3 4.2.3.1.7) the registry is asked with. */
async function affinityPatientId(config: Config, patient: string, facility: string | undefined, pix: string | undefined, tls: TlsClientPem): Promise<string> {
  const regional = config.identity.regional.authority;
  const asRegional = (id: string) => `${id}^^^&${regional.oid}&ISO`;
  let local: string;
  if (patient.includes('^')) {
    const c = patient.split('^');
    const hd = (c[3] ?? '').split('&');
    if (!c[0] || !c[3]) throw new UsageError(`hie xds find: '${patient}' is not a CX (ID^^^AUTHORITY)`);
    if (hd[1] === regional.oid || (!hd[1] && hd[0] === regional.namespace)) return asRegional(c[0]);
    if (facility) throw new UsageError('hie xds find: --facility is for a PATIENT given without its assigning authority');
    local = patient;
  } else if (facility) {
    const d = config.identity.domains.find((x) => x.namespace === facility || x.oid === facility);
    local = d ? `${patient}^^^${d.namespace}&${d.oid}&ISO` : /^[0-2](\.\d+)+$/.test(facility) ? `${patient}^^^&${facility}&ISO` : `${patient}^^^${facility}`;
  } else if (new RegExp(`^${config.identity.regional.prefix}\\d{10}$`).test(patient)) {
    return asRegional(patient);
  } else {
    throw new UsageError(`hie xds find: '${patient}' is not a regional ID; give a local ID with --facility F (or as ID^^^AUTHORITY)`);
  }
  const at = pixTarget(config, pix, tls);
  let id: string | undefined;
  try {
    id = await queryRegionalId(at, local, regional, { application: 'HIE_XDS_CLI', facility: config.node.facility });
  } catch (e) {
    if (e instanceof PixQueryError) throw new Error(`the PIX Manager (${at.url}) refused the query: ${e.message}`);
    throw new Error(at.tls ? describeTlsFailure(at.url, e) : `connection to ${at.url} failed: ${(e as Error).message}`);
  }
  if (!id) throw new Error(`the PIX Manager (${at.url}) knows no regional ID for ${local}`);
  return asRegional(id);
}

function pixTarget(config: Config, pix: string | undefined, tls: TlsClientPem) {
  const host = ['0.0.0.0', '::'].includes(config.mllp.host) ? '127.0.0.1' : config.mllp.host;
  const spec = pix ?? `${config.mllp.tls ? 'mllps' : 'mllp'}://${host.includes(':') ? `[${host}]` : host}:${config.mllp.port}`;
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UsageError(`hie xds: --pix '${spec}' is not mllp://HOST:PORT or mllps://HOST:PORT`);
  }
  const port = Number(url.port);
  if ((url.protocol !== 'mllp:' && url.protocol !== 'mllps:') || !url.hostname || !(port > 0 && port < 65536)) throw new UsageError(`hie xds: --pix '${spec}' is not mllp://HOST:PORT or mllps://HOST:PORT`);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const secure = url.protocol === 'mllps:';
  return { url: spec, host: hostname, port, tls: secure ? { ...tls, servername: /^[\d.]+$|:/.test(hostname) ? undefined : hostname } : undefined };
}

/** A failure to reach `url` (refused, TLS, no answer), said with that URL; SOAP Faults and answers pass as they are. */
async function reaching<T>(url: string, tls: TlsClientPem | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof SoapClientError || !(e as NodeJS.ErrnoException).code) throw e;
    throw new Error(tls ? describeTlsFailure(url, e) : `connection to ${url} failed: ${(e as NodeJS.ErrnoException).code}: ${(e as Error).message}`);
  }
}

async function find(e: Endpoints, request: string): Promise<DocumentSummary[]> {
  return documentSummaries(await reaching(e.registry, e.tls, () => callSoap({ url: e.registry, action: XDS['ITI-18'].action, bodyXml: request, tls: e.tls })));
}

async function get(e: Endpoints, uniqueId: string, out: string): Promise<number> {
  const [entry] = await find(e, getDocumentsRequest([uniqueId]));
  if (!entry) throw new Error(`the registry (${e.registry}) has no document ${uniqueId} that this node may see`);
  if (!entry.repositoryUniqueId) throw new Error(`the registry's entry of ${uniqueId} names no repositoryUniqueId`);
  const request = retrieveRequest([{ repositoryUniqueId: entry.repositoryUniqueId, documentUniqueId: uniqueId }]);
  const answer = await reaching(e.repository, e.tls, () => callSoapWithAttachments({ url: e.repository, action: XDS['ITI-43'].action, bodyXml: request, tls: e.tls }));
  const doc = retrievedDocuments(answer.body, answer.attachments).find((d) => d.documentUniqueId === uniqueId);
  if (!doc) throw new Error(`the repository (${e.repository}) answered without document ${uniqueId}`);
  const problem = integrityProblem(doc.bytes, entry);
  if (problem) throw new Error(`document ${uniqueId} retrieved does not match the registry (${problem}): not written`);
  // Written whole or not at all: a temporary file beside the target, then renamed over it.
  const target = path.resolve(out);
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, doc.bytes);
  fs.renameSync(tmp, target);
  process.stdout.write(`${uniqueId}: ${doc.bytes.length} bytes, ${doc.mimeType || entry.mimeType}, SHA-1 and size as the registry says, written to ${out}\n`);
  return 0;
}

function failure(e: unknown, endpoints: Endpoints): string {
  if (e instanceof RegistryQueryError) return `the registry (${endpoints.registry}) answered: ${e.message}`;
  if (e instanceof RetrieveError) return `the repository (${endpoints.repository}) answered: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
