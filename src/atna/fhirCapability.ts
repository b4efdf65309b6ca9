/** What the ATNA face serves under the FHIR base (fhirRoutes.ts), for the CapabilityStatement. */
import type { FaceCapability } from '../fhir/capability.ts';

export function atnaCapability(): FaceCapability {
  const token = (name: string) => ({ name, type: 'token' as const });
  return {
    resources: [
      {
        type: 'AuditEvent',
        documentation: 'ITI-81 Retrieve ATNA Audit Event (read and search, for auditors); ITI-20 Send Audit Resource (create, and a batch or transaction Bundle of AuditEvents posted to the base).',
        interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }],
        searchParam: [
          { name: 'date', type: 'date' },
          { name: 'address', type: 'string' },
          { name: 'agent-name', type: 'string' },
          { name: 'agent', type: 'reference' as const },
          token('patient.identifier'),
          { name: 'entity', type: 'reference' as const },
          token('entity-type'),
          token('entity-role'),
          token('outcome'),
          token('type'),
          token('subtype'),
          token('action'),
          { name: 'source', type: 'reference' as const },
        ],
      },
    ],
    systemInteractions: ['batch', 'transaction'],
  };
}

/** The transaction of a request to the ATNA face: reads are ITI-81, writes ITI-20 (as fhirRoutes.ts observes them). */
export function atnaTransaction(method: string, path: string): string | undefined {
  if (!path.startsWith('/AuditEvent') && path !== '/') return undefined;
  return method === 'GET' || method === 'HEAD' ? 'ITI-81' : 'ITI-20';
}
