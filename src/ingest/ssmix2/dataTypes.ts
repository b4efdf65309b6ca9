/**
 * The SS-MIX2 data types (データ種別) as one table: the message type each is stored as, which field
 * carries its care date, and the XDS codes its documents get. Used by the storage ingest, the HL7 v2
 * clinical feed and the synthetic generator alike.
 *
 * Data types and message types: the SS-MIX2 standardized storage specification (SS-MIX2 標準化ストレージ
 * 仕様書 Ver.1.2, the table of data types and the HL7 messages stored under each). The care-date field
 * per message type follows the same specification's rule for the care date (診療日) of each message
 * (the visit, admission or discharge date of ADT events, the order date ORC-9 of orders, the
 * administration date RXA-3, the specimen collection date SPM-17, the observation date OBR-7);
 * ../shared/ssmix2-reference/include/SSMIX_CAREDATE.json, from a public SS-MIX2 test tool, says the same
 * and was used to check this table. ADT-00, ADT-61 and PPR-01 have no care date: they are stored under '-'.
 *
 * The XDS codes are this project's own code systems, under the example arc 2.999 (never an official
 * OID): see README "SS-MIX2 ingest" for the list.
 */

export type DocumentClass =
  | 'patient'
  | 'encounter'
  | 'allergy'
  | 'problem'
  | 'diet-order'
  | 'medication-order'
  | 'medication-administration'
  | 'lab-order'
  | 'lab-result'
  | 'exam-order'
  | 'exam-performed'
  | 'exam-result';

export interface DataType {
  /** The data type code of the file name and folder (ADT-22, OMP-01, ...). */
  code: string;
  /** Its name in the specification. */
  title: string;
  /** MSH-9 code^event of the messages stored under it; the first is the usual one, the others cancellations. */
  messages: readonly string[];
  /** Segment-field of the care date, per message (`''`: no care date). */
  careDate: Readonly<Record<string, string>>;
  documentClass: DocumentClass;
}

/** Project code systems (example arc 2.999, see README). */
export const CodeSystems = {
  classCode: '2.999.392.1.20.1',
  typeCode: '2.999.392.1.20.2',
  formatCode: '2.999.392.1.20.3',
  practiceSetting: '2.999.392.1.20.4',
} as const;

/** formatCode: the SS-MIX2 storage version and the data type, e.g. urn:hie:ss-mix2:1.2:OMP-01. */
export const formatCodeOf = (dataType: string) => `urn:hie:ss-mix2:1.2:${dataType}`;

/** HL7 v2 ER7 text (the mime type HL7 gives v2 messages carried as documents). */
export const HL7V2_MIME_TYPE = 'x-application/hl7-v2+er7';

export const CLASS_TITLES: Readonly<Record<DocumentClass, string>> = {
  patient: '患者基本情報',
  encounter: '受診・入退院歴',
  allergy: 'アレルギー情報',
  problem: '病名情報',
  'diet-order': '食事オーダ',
  'medication-order': '処方・注射オーダ',
  'medication-administration': '処方・注射実施',
  'lab-order': '検体検査オーダ',
  'lab-result': '検体検査結果',
  'exam-order': '検査オーダ',
  'exam-performed': '検査実施',
  'exam-result': '検査結果',
};

const adt = (code: string, title: string, event: string, date: string, cancel?: string, cancelDate = date): DataType => ({
  code,
  title,
  messages: cancel ? [`ADT^${event}`, `ADT^${cancel}`] : [`ADT^${event}`],
  careDate: cancel ? { [`ADT^${event}`]: date, [`ADT^${cancel}`]: cancelDate } : { [`ADT^${event}`]: date },
  documentClass: code === 'ADT-00' ? 'patient' : code === 'ADT-61' ? 'allergy' : 'encounter',
});

const order = (code: string, title: string, message: string, date: string, documentClass: DocumentClass): DataType => ({
  code,
  title,
  messages: [message],
  careDate: { [message]: date },
  documentClass,
});

export const DATA_TYPES: readonly DataType[] = [
  adt('ADT-00', '患者基本情報の更新', 'A08', '', 'A23'),
  adt('ADT-01', '担当医の変更', 'A54', '', 'A55'),
  adt('ADT-12', '外来診察受付', 'A04', 'PV1-44', 'A11'),
  adt('ADT-21', '入院予定', 'A14', 'PV2-8', 'A27'),
  adt('ADT-22', '入院実施', 'A01', 'PV1-44', 'A11'),
  adt('ADT-31', '外出泊実施', 'A21', 'EVN-6', 'A52'),
  adt('ADT-32', '外出泊帰院実施', 'A22', 'EVN-6', 'A53', 'PV2-47'),
  adt('ADT-41', '転科・転棟予定', 'A15', 'PV2-8', 'A26'),
  adt('ADT-42', '転科・転棟実施', 'A02', 'EVN-6', 'A12'),
  adt('ADT-51', '退院予定', 'A16', 'PV2-9', 'A25'),
  adt('ADT-52', '退院実施', 'A03', 'PV1-45', 'A13'),
  adt('ADT-61', 'アレルギー情報', 'A60', ''),
  order('PPR-01', '病名（歴）情報', 'PPR^ZD1', '', 'problem'),
  order('OMD', '食事オーダ', 'OMD^O03', 'ORC-9', 'diet-order'),
  order('OMP-01', '処方オーダ', 'RDE^O11', 'ORC-9', 'medication-order'),
  order('OMP-02', '注射オーダ', 'RDE^O11', 'ORC-9', 'medication-order'),
  order('OMP-11', '処方実施通知', 'RAS^O17', 'RXA-3', 'medication-administration'),
  order('OMP-12', '注射実施通知', 'RAS^O17', 'RXA-3', 'medication-administration'),
  order('OML-01', '検体検査オーダ', 'OML^O33', 'ORC-9', 'lab-order'),
  order('OML-11', '検体検査結果通知', 'OUL^R22', 'SPM-17', 'lab-result'),
  order('OMG-01', '放射線検査オーダ', 'OMG^O19', 'ORC-9', 'exam-order'),
  order('OMG-02', '内視鏡検査オーダ', 'OMG^O19', 'ORC-9', 'exam-order'),
  order('OMG-03', '生理検査オーダ', 'OMG^O19', 'ORC-9', 'exam-order'),
  order('OMG-11', '放射線検査実施通知', 'OMI^Z23', 'OBR-7', 'exam-performed'),
  order('OMG-12', '内視鏡検査実施通知', 'OMI^Z23', 'OBR-7', 'exam-performed'),
  order('OMG-13', '生理検査結果通知', 'ORU^R01', 'OBR-7', 'exam-result'),
];

const BY_CODE = new Map(DATA_TYPES.map((d) => [d.code, d]));

export function dataType(code: string): DataType | undefined {
  return BY_CODE.get(code);
}

/** The data type of the patient's demographics: registered through the PIX Manager, not shared as a document. */
export const PATIENT_DATA_TYPE = 'ADT-00';

/** The value of a `SEG-n` field reference in a message (first segment of that type, first component). */
export function careDateRef(dt: DataType, messageKey: string): { segment: string; field: number } | undefined {
  const ref = dt.careDate[messageKey];
  if (!ref) return undefined;
  const [segment, field] = ref.split('-');
  return { segment, field: Number(field) };
}
