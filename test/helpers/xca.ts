/**
 * Regions for the XCA tests: real servers over TLS with certificates from `hie certs`, each with its
 * homeCommunityId, regional authority and gateway nodes; patients fed over MLLP with their
 * medical-field token, documents provided over ITI-41, and SOAP calls as a node (exchangeSoap, which
 * keeps the whole envelope for schema validation and the MTOM attachments).
 */
import fs from 'node:fs';
import os from 'node:os';
import { expect } from 'chai';
import { exchangeSoap, type SoapAnswer } from '../../src/soap/client.ts';
import { adt } from './messages.ts';
import { field, startTestServer, type TestServer } from './hieServer.ts';
import type { RegionCerts } from './tlsNodes.ts';
import { ACTIONS } from './xds.ts';
import { provideAndRegisterRequest, type SubmissionSpec } from './xdsMetadata.ts';

export const TOKEN_AUTHORITY = { namespace: 'MFTOKEN', oid: '2.999.392.1.1' };
export const XCA_ACTIONS = { iti38: 'urn:ihe:iti:2007:CrossGatewayQuery', iti39: 'urn:ihe:iti:2007:CrossGatewayRetrieve' } as const;

export interface RegionSpec {
  /** Lower-case letter: a, b, c. */
  name: string;
  homeCommunityId: string;
  /** The regional (affinity domain) authority OID. */
  regionalOid: string;
  repositoryUniqueId: string;
}

export const REGIONS: Record<'a' | 'b' | 'c', RegionSpec> = {
  a: { name: 'a', homeCommunityId: 'urn:oid:1.2.392.999.900.1', regionalOid: '1.2.392.999.901.1', repositoryUniqueId: '1.2.392.999.902.1' },
  b: { name: 'b', homeCommunityId: 'urn:oid:1.2.392.999.900.2', regionalOid: '1.2.392.999.901.2', repositoryUniqueId: '1.2.392.999.902.2' },
  c: { name: 'c', homeCommunityId: 'urn:oid:1.2.392.999.900.3', regionalOid: '1.2.392.999.901.3', repositoryUniqueId: '1.2.392.999.902.3' },
};

/** The facility whose documents the tests provide (the sourceId and author institution of xdsMetadata.ts). */
export const HOSPITAL = { namespace: 'HOSP_A', oid: '1.2.392.999.1' };

/** The certificates a three-region test needs: each region's gateway and each region's EHR (its hospital's source and consumer). */
export const REGION_NODES = ['region-a', 'region-b', 'region-c', 'ehr-a', 'ehr-b', 'ehr-c', 'stranger'];

/**
 * The config of a region's server: TLS with client certificates; the region's EHR node (source and
 * consumer for its hospital), the peers' gateways as `gateway` nodes, `extraNodes` besides.
 */
export function regionServerConfig(r: RegionSpec, certs: RegionCerts, peers: RegionSpec[], extra: Record<string, unknown> & { extraNodes?: unknown[] } = {}) {
  const { extraNodes, ...rest } = extra;
  return {
    identity: { regional: { authority: { namespace: `REGION_${r.name.toUpperCase()}`, oid: r.regionalOid } }, token: { authority: TOKEN_AUTHORITY }, domains: [HOSPITAL] },
    http: { tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca, requireClientCert: true } },
    xds: { repository: { uniqueId: r.repositoryUniqueId } },
    nodes: [
      { name: `ehr-${r.name}`, subject: `CN=ehr-${r.name}`, facility: HOSPITAL.namespace, roles: ['source', 'consumer'] },
      ...peers.map((p) => ({ name: `region-${p.name}`, subject: `CN=region-${p.name}`, roles: ['gateway'], homeCommunityId: p.homeCommunityId })),
      ...(extraNodes ?? []),
    ],
    ...rest,
    xca: { homeCommunityId: r.homeCommunityId, ...(rest.xca as object) },
  } as Record<string, unknown>;
}

export const regionalPid = (id: string, r: RegionSpec) => `${id}^^^&${r.regionalOid}&ISO`;
export const tokenPid = (token: string) => `${token}^^^&${TOKEN_AUTHORITY.oid}&ISO`;

/** ITI-8 feed of a patient of the region with its token (as a facility's PIX feed carries it). */
export async function feedRegionPatient(s: TestServer, r: RegionSpec, id: string, token: string): Promise<void> {
  const ack = await s.send(adt({ ids: [`${id}^^^REGION_${r.name.toUpperCase()}&${r.regionalOid}&ISO`, `${token}^^^${TOKEN_AUTHORITY.namespace}&${TOKEN_AUTHORITY.oid}&ISO`], event: 'A01' }));
  expect(field(ack, 'MSA', 1), `feed of ${id}`).to.equal('AA');
}

export interface Caller {
  ca: string;
  cert?: string;
  key?: string;
}

/** A SOAP call over TLS to the server, as a node (its certificate). */
export function callAs(s: TestServer, as: Caller, path: string, action: string, bodyXml: string, mtom = false, attachments: { contentId: string; contentType: string; data: Buffer }[] = []): Promise<SoapAnswer> {
  const read = (f?: string) => (f ? fs.readFileSync(f) : undefined);
  return exchangeSoap({
    url: `https://127.0.0.1:${s.app.ports.http}${path}`,
    action,
    bodyXml,
    mtom,
    attachments,
    tls: { ca: read(as.ca), cert: read(as.cert), key: read(as.key) },
    timeoutMs: 30_000,
    maxResponseBytes: 256 * 1024 * 1024,
    spoolDir: os.tmpdir(),
  });
}

/** ITI-41 by a region's EHR node: the documents with their contents as MTOM attachments. */
export async function provide(s: TestServer, as: Caller, spec: SubmissionSpec): Promise<void> {
  spec.docs.forEach((d, i) => (d.id ??= `Document${String(i + 1).padStart(2, '0')}`));
  const attachments = spec.docs.map((d) => ({ contentId: `${d.id}@test`, contentType: d.mimeType ?? 'text/plain', data: d.content ?? Buffer.from(`document ${d.id}`) }));
  const a = await callAs(s, as, s.config.xds.repository.path, ACTIONS.iti41, provideAndRegisterRequest(spec, 'xop'), true, attachments);
  expect(a.body.attrs.status, a.envelopeXml.slice(0, 2000)).to.match(/Success$/);
}

/** The envelope as its XOP infoset (each xop:Include replaced by its attachment in base64), for schema validation. */
export function xopInfoset(a: SoapAnswer): string {
  const byId = new Map(a.attachments.map((p) => [p.contentId, p]));
  return a.envelopeXml.replace(/<xop:Include[^>]*href="cid:([^"]+)"[^>]*\/>/g, (_m, cid: string) => {
    const p = byId.get(decodeURIComponent(cid));
    if (!p) throw new Error(`no attachment ${cid}`);
    return (p.data ?? fs.readFileSync(p.file!)).toString('base64');
  });
}

/** The documents of a retrieve answer: home, repository, uniqueId and bytes. */
export function documentsOf(a: SoapAnswer): { home?: string; repository: string; uniqueId: string; bytes: Buffer }[] {
  const byId = new Map(a.attachments.map((p) => [p.contentId, p]));
  return a.body.children
    .filter((c) => c.local === 'DocumentResponse')
    .map((dr) => {
      const t = (l: string) => dr.children.find((c) => c.local === l)?.text.trim();
      const doc = dr.children.find((c) => c.local === 'Document')!;
      const inc = doc.children.find((c) => c.local === 'Include');
      const p = inc ? byId.get(decodeURIComponent(inc.attrs.href.slice(4))) : undefined;
      return { home: t('HomeCommunityId'), repository: t('RepositoryUniqueId')!, uniqueId: t('DocumentUniqueId')!, bytes: p ? (p.data ?? fs.readFileSync(p.file!)) : Buffer.from(doc.text, 'base64') };
    });
}

/** The objects of an AdhocQueryResponse: element name, id and home. */
export function objectsOf(a: SoapAnswer): { local: string; id: string; home?: string }[] {
  const list = a.body.children.find((c) => c.local === 'RegistryObjectList');
  return (list?.children ?? []).map((o) => ({ local: o.local, id: o.attrs.id, home: o.attrs.home }));
}

export function errorsOf(a: SoapAnswer): { errorCode: string; location?: string; codeContext?: string }[] {
  const rr = a.body.local === 'AdhocQueryResponse' ? a.body : a.body.children.find((c) => c.local === 'RegistryResponse')!;
  const list = rr.children.find((c) => c.local === 'RegistryErrorList');
  return (list?.children ?? []).map((e) => ({ errorCode: e.attrs.errorCode, location: e.attrs.location, codeContext: e.attrs.codeContext }));
}

export function statusOf(a: SoapAnswer): string {
  const rr = a.body.local === 'AdhocQueryResponse' ? a.body : a.body.children.find((c) => c.local === 'RegistryResponse')!;
  return rr.attrs.status.replace(/^.*:/, '');
}

/** A conformance sample with its $placeholders$ filled. */
export function sample(file: string, values: Record<string, string>): string {
  let xml = fs.readFileSync(file, 'utf8');
  for (const [k, v] of Object.entries(values)) xml = xml.split(`$${k}$`).join(v);
  return xml;
}

/** The Body's first element of a whole SOAP envelope sample. */
export function bodyOfEnvelope(xml: string): string {
  const m = /<([A-Za-z0-9_]+:)?Body[^>]*>([\s\S]*)<\/([A-Za-z0-9_]+:)?Body>/.exec(xml);
  if (!m) throw new Error('no Body in the sample');
  return m[2].trim();
}
