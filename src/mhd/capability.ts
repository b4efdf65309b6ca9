/**
 * What the MHD routes serve, as the resources of a CapabilityStatement's rest (FHIR R4
 * capabilitystatement.html; MHD's Document Responder and Document Recipient Comprehensive
 * CapabilityStatements): DocumentReference and List searched (GET and POST _search) and read with
 * the parameters of ITI-67 and ITI-66, Binary read (ITI-68). ITI-65 is the system-level
 * `transaction` interaction, which the CapabilityStatement's rest.interaction names
 * (mhdSystemInteractions).
 */
import type { CapabilityStatementRestInteraction, CapabilityStatementRestResource } from 'fhir/r4.js';
import { ITI66_PARAMETERS } from './iti66/findLists.ts';
import { ITI67_PARAMETERS } from './iti67/findDocumentReferences.ts';

const SD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition';
const params = (list: readonly { name: string; type: 'token' | 'date' | 'string' | 'reference' }[]) => list.map((p) => ({ name: p.name, type: p.type }));

export function mhdCapabilityResources(): CapabilityStatementRestResource[] {
  return [
    {
      type: 'DocumentReference',
      supportedProfile: [`${SD}/IHE.MHD.Comprehensive.DocumentReference`],
      interaction: [{ code: 'read' }, { code: 'search-type', documentation: 'ITI-67 Find Document References (GET, and POST _search)' }],
      searchParam: params(ITI67_PARAMETERS),
    },
    {
      type: 'List',
      supportedProfile: [`${SD}/IHE.MHD.Comprehensive.SubmissionSet`, `${SD}/IHE.MHD.Comprehensive.Folder`],
      interaction: [{ code: 'read' }, { code: 'search-type', documentation: 'ITI-66 Find Document Lists (GET, and POST _search)' }],
      searchParam: params(ITI66_PARAMETERS),
    },
    {
      type: 'Binary',
      interaction: [{ code: 'read', documentation: 'ITI-68 Retrieve Document: the document in its mimeType, or the Binary resource for a client that accepts FHIR JSON only' }],
    },
  ];
}

/** ITI-65 Provide Document Bundle: the transaction interaction at the base (Comprehensive Metadata). */
export function mhdSystemInteractions(): CapabilityStatementRestInteraction[] {
  return [{ code: 'transaction', documentation: `ITI-65 Provide Document Bundle: ${SD}/IHE.MHD.Comprehensive.ProvideBundle` }];
}
