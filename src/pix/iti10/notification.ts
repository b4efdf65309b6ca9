/**
 * The ITI-10 PIX Update Notification, ADT^A31 (ITI TF-2 3.10.4.1.2): PID-3 lists the patient's
 * identifiers in the consumer's domains of interest, each with a full assigning authority; PID-5 is a
 * single space; PV1-2 is N.
 */
import { message, msh, segment } from '../../hl7v2/builder.ts';
import { hl7Timestamp } from '../../hl7v2/datetime.ts';
import type { DomainIdentifier } from '../../identity/service.ts';
import { cxComponents } from '../codec/cx.ts';

export interface NotificationParties {
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
}

export function buildA31(parties: NotificationParties, ids: DomainIdentifier[], controlId: string): string {
  const now = hl7Timestamp();
  return message([
    msh({
      sendingApplication: parties.sendingApplication,
      sendingFacility: parties.sendingFacility,
      receivingApplication: parties.receivingApplication,
      receivingFacility: parties.receivingFacility,
      dateTime: now,
      messageType: ['ADT', 'A31', 'ADT_A05'],
      controlId,
      processingId: 'P',
      version: '2.5',
      profile: ['ITI-10', 'IHE'],
    }),
    segment('EVN', [undefined, now]),
    segment('PID', [undefined, undefined, { repeat: ids.map((i) => cxComponents(i)) }, undefined, ' ']),
    segment('PV1', [undefined, 'N']),
  ]);
}
