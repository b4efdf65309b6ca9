/**
 * The CapabilityStatement of the FHIR base (FHIR R4 3.1.0.11 capabilities): made from what each face
 * (ATNA, PIXm, PDQm, MHD) says it serves, so that it lists exactly what the routes answer. A
 * resource type two faces serve (Patient: PDQm read and search, PIXm $ihe-pix) is one entry with
 * both faces' interactions, search parameters and operations.
 */
import type {
  CapabilityStatement,
  CapabilityStatementRestInteraction,
  CapabilityStatementRestResource,
  CapabilityStatementRestSecurity,
} from 'fhir/r4.js';

/** What one face serves under the FHIR base. */
export interface FaceCapability {
  resources: CapabilityStatementRestResource[];
  /** Whole-system interactions (batch, transaction: a Bundle posted to the base). */
  systemInteractions?: CapabilityStatementRestInteraction['code'][];
}

export interface CapabilityOptions {
  /** The FHIR base URL as the client reached it. */
  base: string;
  software: { name: string; version: string };
  faces: FaceCapability[];
  /** Set when IUA protects the base (ITI-72: bearer tokens). */
  security?: CapabilityStatementRestSecurity;
  /** When the statement was made (the server's start). */
  date: string;
}

/**
 * How this server treats search parameters it does not know (FHIR R4 3.1.1.5.1 handling): strict,
 * unless the client asks for lenient handling.
 */
export const SEARCH_HANDLING =
  'Search parameters and modifiers this server does not support are refused with 400 and an OperationOutcome (Prefer: handling=strict is the default); ' +
  'a request with Prefer: handling=lenient has them ignored instead. Unknown paths answer 404, unsupported methods 405 (with Allow), bodies other than FHIR JSON or FHIR XML 415. ' +
  'Answers are FHIR JSON or FHIR XML as _format, else Accept, asks (JSON when neither does); any other format 406.';

export function capabilityStatement(o: CapabilityOptions): CapabilityStatement {
  const byType = new Map<string, CapabilityStatementRestResource>();
  for (const face of o.faces) {
    for (const r of face.resources) {
      const have = byType.get(r.type);
      byType.set(r.type, have ? mergeResource(have, r) : structuredClone(r));
    }
  }
  const system = [...new Set(o.faces.flatMap((f) => f.systemInteractions ?? []))];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: o.date,
    kind: 'instance',
    software: o.software,
    implementation: { description: 'regional health information exchange: the FHIR faces of its IHE actors', url: o.base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json', 'application/fhir+xml', 'xml'],
    rest: [
      {
        mode: 'server',
        documentation: SEARCH_HANDLING,
        ...(o.security ? { security: o.security } : {}),
        resource: [...byType.values()].sort((a, b) => a.type.localeCompare(b.type)),
        ...(system.length ? { interaction: system.map((code) => ({ code })) } : {}),
      },
    ],
  };
}

function mergeResource(a: CapabilityStatementRestResource, b: CapabilityStatementRestResource): CapabilityStatementRestResource {
  const union = <T>(x: T[] | undefined, y: T[] | undefined, key: (t: T) => string): T[] | undefined => {
    if (!x && !y) return undefined;
    const out = new Map<string, T>();
    for (const t of [...(x ?? []), ...(y ?? [])]) if (!out.has(key(t))) out.set(key(t), t);
    return [...out.values()];
  };
  const out: CapabilityStatementRestResource = { ...structuredClone(a) };
  const interaction = union(a.interaction, b.interaction, (i) => i.code);
  const searchParam = union(a.searchParam, b.searchParam, (p) => p.name);
  const operation = union(a.operation, b.operation, (p) => p.name);
  const supportedProfile = union(a.supportedProfile, b.supportedProfile, (p) => p);
  if (interaction) out.interaction = interaction;
  if (searchParam) out.searchParam = searchParam;
  if (operation) out.operation = operation;
  if (supportedProfile) out.supportedProfile = supportedProfile;
  if (b.documentation) out.documentation = a.documentation ? `${a.documentation} ${b.documentation}` : b.documentation;
  return out;
}

/**
 * The methods a path under the base answers, by the capability (undefined when no face serves the
 * path at all: 404, not 405).
 */
export function allowedMethods(faces: FaceCapability[], path: string): string[] | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return (faces.some((f) => f.systemInteractions?.length) ? ['POST'] : undefined);
  if (parts.length === 1 && parts[0] === 'metadata') return ['GET'];
  const resources = faces.flatMap((f) => f.resources).filter((r) => r.type === parts[0]);
  if (resources.length === 0) return undefined;
  const can = new Set(resources.flatMap((r) => (r.interaction ?? []).map((i) => i.code)));
  const operations = new Set(resources.flatMap((r) => (r.operation ?? []).map((op) => op.name)));
  const methods = new Set<string>();
  if (parts.length === 1) {
    if (can.has('search-type')) methods.add('GET');
    if (can.has('create')) methods.add('POST');
  } else if (parts.length === 2 && parts[1] === '_search') {
    if (can.has('search-type')) methods.add('POST');
  } else if (parts.length === 2 && parts[1].startsWith('$')) {
    if (!operations.has(parts[1].slice(1))) return undefined;
    methods.add('GET').add('POST');
  } else if (parts.length === 2) {
    if (can.has('read')) methods.add('GET');
    if (can.has('update')) methods.add('PUT');
    if (can.has('delete')) methods.add('DELETE');
  } else {
    return undefined;
  }
  return methods.size ? [...methods] : undefined;
}
