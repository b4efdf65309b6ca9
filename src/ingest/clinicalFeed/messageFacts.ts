/**
 * What the SS-MIX2 file name would say of a clinical message pushed over MLLP, read from the message
 * itself: its data type (where a message type carries several, the order's kind decides), care date,
 * order number, timestamp, department and condition.
 */
import type { Hl7v2Message } from '../../hl7v2/message.ts';
import { DATA_TYPES, dataType, type DataType } from '../ssmix2/dataTypes.ts';
import type { Condition } from '../ssmix2/fileName.ts';

const ORAL_ROUTES = new Set(['PO', 'SL', 'BUC']);

/** RDE^O11 and RAS^O17: an injection when it has RXC components, an injectable form, or a route other than by mouth. */
function isInjection(m: Hl7v2Message): boolean {
  if (m.first('RXC')) return true;
  const form = m.first('RXE')?.get(6) ?? '';
  if (form === 'INJ') return true;
  const route = m.first('RXR')?.get(1) ?? '';
  return route !== '' && !ORAL_ROUTES.has(route);
}

/** OMG^O19 and OMI^Z23: the coding system of the requested procedure (OBR-4.3) names the kind of examination. */
function examSystem(m: Hl7v2Message): string {
  return m.first('OBR')?.get(4, 3) ?? '';
}

export function dataTypeOfMessage(m: Hl7v2Message): DataType | undefined {
  const key = `${m.header.type.code}^${m.header.type.event}`;
  switch (key) {
    case 'RDE^O11':
      return dataType(isInjection(m) ? 'OMP-02' : 'OMP-01');
    case 'RAS^O17':
      return dataType(isInjection(m) ? 'OMP-12' : 'OMP-11');
    case 'OMG^O19': {
      const s = examSystem(m);
      return dataType(s === 'JJ1017' ? 'OMG-01' : s === 'LENDO' ? 'OMG-02' : 'OMG-03');
    }
    case 'OMI^Z23':
      return dataType(examSystem(m) === 'LENDO' ? 'OMG-12' : 'OMG-11');
    case 'ADT^A11':
      // Cancels an admission (ADT-22) or an outpatient visit (ADT-12): the patient class says which.
      return dataType(m.first('PV1')?.get(2) === 'I' ? 'ADT-22' : 'ADT-12');
    default:
      return DATA_TYPES.find((d) => d.messages.includes(key));
  }
}

export interface MessageFacts {
  orderNo: string;
  /** YYYYMMDDHHMMSSfff from MSH-7. */
  timestamp: string;
  department: string;
  condition: Condition;
}

/** No order number, as SS-MIX2 writes it in a file name. */
export const NO_ORDER = '999999999999999';

export function messageFacts(m: Hl7v2Message): MessageFacts {
  const orc = m.first('ORC');
  const order = (orc?.get(2) ?? '').replace(/[^0-9A-Za-z]/g, '').slice(0, 15);
  const t = /^(\d{4,14})(?:\.(\d{1,3}))?/.exec(m.header.dateTime);
  const digits = (t?.[1] ?? '').padEnd(14, '0');
  const millis = (t?.[2] ?? '').padEnd(3, '0');
  const dept = orc?.get(17) || m.first('PV1')?.get(10) || '-';
  return {
    orderNo: order || NO_ORDER,
    timestamp: digits + millis,
    department: /^[0-9A-Za-z]{1,3}$/.test(dept) ? dept : '-',
    // An order cancelled (ORC-1 CA, OC) is deleted data; anything else is valid.
    condition: orc && ['CA', 'OC', 'DC'].includes(orc.get(1)) ? 0 : 1,
  };
}
