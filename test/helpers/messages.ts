/** Builders of test messages: small, explicit, CR-separated. */
let counter = 0;
const nextId = () => `T${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface AdtOptions {
  event?: 'A01' | 'A04' | 'A05' | 'A08' | 'A40';
  ids: string[];
  name?: string;
  birthDate?: string;
  sex?: string;
  address?: string;
  phone?: string;
  mrg?: string[];
  version?: string;
  sendingApp?: string;
  sendingFacility?: string;
  controlId?: string;
  charset?: string;
}

export function adt(o: AdtOptions): string {
  const event = o.event ?? 'A04';
  const structure = event === 'A40' ? 'ADT_A39' : event === 'A05' ? 'ADT_A05' : 'ADT_A01';
  const segs = [
    `MSH|^~\\&|${o.sendingApp ?? 'EHR'}|${o.sendingFacility ?? 'HOSP_A'}|HIE|REGION|20240101120000||ADT^${event}^${structure}|${o.controlId ?? nextId()}|P|${o.version ?? '2.3.1'}${o.charset ? `||||||${o.charset}` : ''}`,
    `EVN|${event}|20240101120000`,
    `PID|1||${o.ids.join('~')}||${o.name ?? 'YAMADA^TARO^^^^^L'}||${o.birthDate ?? '19700101'}|${o.sex ?? 'M'}|||${o.address ?? ''}||${o.phone ?? ''}`,
  ];
  if (event === 'A40') segs.push(`MRG|${(o.mrg ?? []).join('~')}`);
  else segs.push('PV1||O');
  return segs.join('\r') + '\r';
}

export function pixQuery(o: { key: string; domains?: string[]; tag?: string; controlId?: string }): string {
  const tag = o.tag ?? nextId();
  return [
    `MSH|^~\\&|PIX_CONSUMER|HOSP_B|HIE|REGION|20240101120000||QBP^Q23^QBP_Q21|${o.controlId ?? nextId()}|P|2.5`,
    `QPD|IHE PIX Query|${tag}|${o.key}|${(o.domains ?? []).join('~')}`,
    'RCP|I',
  ].join('\r') + '\r';
}

export function pdqQuery(o: { params: string[]; domains?: string[]; limit?: number; tag?: string; pointer?: string; charset?: string }): string {
  const segs = [
    `MSH|^~\\&|PDQ_CONSUMER|HOSP_B|HIE|REGION|20240101120000||QBP^Q22^QBP_Q21|${nextId()}|P|2.5${o.charset ? `||||||${o.charset}` : ''}`,
    `QPD|IHE PDQ Query|${o.tag ?? nextId()}|${o.params.join('~')}|||||${(o.domains ?? []).join('~')}`,
    `RCP|I|${o.limit ? `${o.limit}^RD` : ''}`,
  ];
  if (o.pointer) segs.push(`DSC|${o.pointer}|I`);
  return segs.join('\r') + '\r';
}

export function cancelQuery(tag: string): string {
  return [`MSH|^~\\&|PDQ_CONSUMER|HOSP_B|HIE|REGION|20240101120000||QCN^J01^QCN_J01|${nextId()}|P|2.5`, `QID|${tag}|IHE PDQ Query`].join('\r') + '\r';
}

/** Assigning authorities used across the tests. */
export const HOSP_A = 'HOSP_A&1.2.392.999.1&ISO';
export const HOSP_B = 'HOSP_B&1.2.392.999.2&ISO';
export const TOKEN = 'MFTOKEN&2.999.392.1.1&ISO';
export const REGION = 'REGION&2.999.392.1.2&ISO';
export const INDIVIDUAL_NUMBER = 'MYNUMBER&2.999.392.1.9&ISO';
