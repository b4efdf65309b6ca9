/** The two HL7 parties of a request received over MLLP, and who asked, as audit messages name them. */
import type { Hl7Party } from '../audit/hl7v2Audit.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Hl7Request } from '../hl7v2/transaction.ts';
import type { RequestContext } from '../kernel/requestContext.ts';

export function requestParties(req: Hl7Request, audit: AuditService): { source: Hl7Party; destination: Hl7Party; requester: RequestContext } {
  const h = req.message.header;
  return {
    source: { application: h.sendingApplication, facility: h.sendingFacility, address: req.peer.address },
    destination: {
      application: h.receivingApplication || audit.node.application,
      facility: h.receivingFacility || audit.node.facility,
      address: req.peer.localAddress ?? '',
    },
    requester: req.context,
  };
}
