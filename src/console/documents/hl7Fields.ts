/**
 * Names of the HL7 v2.5 segments and fields that SS-MIX2 standardized storage uses (JAHIS data
 * exchange conventions on HL7 v2.5), in Japanese and English, for showing a message as a table.
 * A field not named here is shown by its position (e.g. PID-30).
 */
type Names = Record<number, [ja: string, en: string]>;

export const SEGMENT_NAMES: Record<string, [string, string]> = {
  MSH: ['メッセージヘッダ', 'Message header'],
  EVN: ['イベント', 'Event type'],
  PID: ['患者識別', 'Patient identification'],
  PD1: ['患者追加情報', 'Patient additional demographic'],
  NK1: ['近親者', 'Next of kin'],
  PV1: ['来院情報', 'Patient visit'],
  PV2: ['来院追加情報', 'Patient visit - additional'],
  DB1: ['障害情報', 'Disability'],
  OBX: ['検査結果・観察', 'Observation/result'],
  AL1: ['アレルギー', 'Allergy'],
  IAM: ['アレルギー', 'Allergy (adverse reaction)'],
  DG1: ['診断', 'Diagnosis'],
  PRB: ['問題・病名', 'Problem'],
  IN1: ['保険', 'Insurance'],
  ORC: ['共通オーダ', 'Common order'],
  RXE: ['処方・注射オーダ', 'Pharmacy encoded order'],
  RXR: ['投与経路', 'Route'],
  TQ1: ['数量・タイミング', 'Timing/quantity'],
  OBR: ['検査オーダ', 'Observation request'],
  SPM: ['検体', 'Specimen'],
  NTE: ['注記', 'Notes and comments'],
  ZPR: ['問題(拡張)', 'Problem (local)'],
};

export const FIELD_NAMES: Record<string, Names> = {
  MSH: {
    1: ['フィールド区切り文字', 'Field separator'], 2: ['符号化文字', 'Encoding characters'], 3: ['送信アプリケーション', 'Sending application'], 4: ['送信施設', 'Sending facility'],
    5: ['受信アプリケーション', 'Receiving application'], 6: ['受信施設', 'Receiving facility'], 7: ['メッセージ日時', 'Date/time of message'], 9: ['メッセージ型', 'Message type'],
    10: ['メッセージ制御ID', 'Message control ID'], 11: ['処理ID', 'Processing ID'], 12: ['バージョンID', 'Version ID'], 18: ['文字セット', 'Character set'], 20: ['代替文字セット操作方式', 'Alternate character set handling'],
  },
  EVN: { 1: ['イベント型コード', 'Event type code'], 2: ['記録日時', 'Recorded date/time'], 6: ['イベント発生日時', 'Event occurred'] },
  PID: {
    1: ['セットID', 'Set ID'], 3: ['患者IDリスト', 'Patient identifier list'], 5: ['患者氏名', 'Patient name'], 7: ['生年月日', 'Date of birth'], 8: ['性別', 'Sex'],
    11: ['患者住所', 'Patient address'], 13: ['電話番号(自宅)', 'Phone (home)'], 14: ['電話番号(勤務先)', 'Phone (business)'], 29: ['死亡日時', 'Death date/time'], 30: ['死亡区分', 'Death indicator'], 33: ['最終更新日時', 'Last update'],
  },
  NK1: { 2: ['氏名', 'Name'], 3: ['続柄', 'Relationship'], 4: ['住所', 'Address'], 5: ['電話番号', 'Phone'] },
  PV1: {
    1: ['セットID', 'Set ID'], 2: ['患者区分', 'Patient class'], 3: ['患者所在場所', 'Assigned location'], 7: ['担当医', 'Attending doctor'], 8: ['紹介医', 'Referring doctor'],
    10: ['診療科', 'Hospital service'], 19: ['来院番号', 'Visit number'], 44: ['入院日時', 'Admit date/time'], 45: ['退院日時', 'Discharge date/time'],
  },
  OBX: {
    1: ['セットID', 'Set ID'], 2: ['値型', 'Value type'], 3: ['検査項目', 'Observation identifier'], 4: ['副ID', 'Observation sub-ID'], 5: ['結果値', 'Observation value'],
    6: ['単位', 'Units'], 7: ['基準値範囲', 'Reference range'], 8: ['異常フラグ', 'Abnormal flags'], 11: ['結果状態', 'Result status'], 14: ['検査日時', 'Observation date/time'],
  },
  AL1: { 1: ['セットID', 'Set ID'], 2: ['アレルゲン分類', 'Allergen type'], 3: ['アレルゲン', 'Allergen'], 4: ['重症度', 'Severity'], 5: ['反応', 'Reaction'], 6: ['確認日', 'Identification date'] },
  IAM: { 2: ['アレルゲン分類', 'Allergen type'], 3: ['アレルゲン', 'Allergen'], 4: ['重症度', 'Severity'], 5: ['反応', 'Reaction'], 11: ['確認日', 'Onset date'] },
  DG1: { 1: ['セットID', 'Set ID'], 3: ['診断コード', 'Diagnosis code'], 5: ['診断日時', 'Diagnosis date/time'], 6: ['診断区分', 'Diagnosis type'] },
  PRB: {
    1: ['処理コード', 'Action code'], 2: ['処理日時', 'Action date/time'], 3: ['病名', 'Problem'], 4: ['問題インスタンスID', 'Problem instance ID'], 7: ['確定日', 'Problem established'],
    9: ['転帰日', 'Actual problem resolution'], 13: ['確からしさ', 'Problem confirmation status'], 14: ['転帰', 'Problem life cycle status'], 16: ['発症日', 'Problem date of onset'],
  },
  IN1: { 2: ['保険プラン', 'Insurance plan'], 3: ['保険者番号', 'Insurance company ID'], 4: ['保険者名', 'Insurance company name'], 15: ['保険種別', 'Plan type'], 16: ['被保険者氏名', 'Name of insured'], 17: ['本人家族区分', 'Relationship to insured'], 49: ['被保険者番号', 'Insured ID'] },
  ORC: {
    1: ['オーダ制御', 'Order control'], 2: ['依頼者オーダ番号', 'Placer order number'], 3: ['実施者オーダ番号', 'Filler order number'], 4: ['依頼者グループ番号', 'Placer group number'],
    5: ['オーダ状態', 'Order status'], 9: ['トランザクション日時', 'Date/time of transaction'], 10: ['入力者', 'Entered by'], 12: ['依頼者', 'Ordering provider'], 15: ['オーダ有効日時', 'Order effective date/time'], 21: ['依頼施設名', 'Ordering facility name'],
  },
  RXE: {
    2: ['薬剤', 'Give code'], 3: ['1回最小量', 'Give amount - minimum'], 4: ['1回最大量', 'Give amount - maximum'], 5: ['単位', 'Give units'], 6: ['剤形', 'Give dosage form'], 7: ['服用指示', "Provider's administration instructions"],
    10: ['調剤量', 'Dispense amount'], 11: ['調剤単位', 'Dispense units'], 21: ['薬剤部門の指示', 'Pharmacy special dispensing instructions'], 23: ['投与速度', 'Give rate amount'], 24: ['投与速度単位', 'Give rate units'], 27: ['投与指示', 'Give indication'],
  },
  RXR: { 1: ['投与経路', 'Route'], 2: ['投与部位', 'Administration site'] },
  TQ1: { 1: ['セットID', 'Set ID'], 2: ['数量', 'Quantity'], 3: ['繰り返しパターン', 'Repeat pattern'], 6: ['期間', 'Service duration'], 7: ['開始日時', 'Start date/time'], 8: ['終了日時', 'End date/time'], 9: ['優先度', 'Priority'], 11: ['テキスト指示', 'Text instruction'] },
  OBR: {
    1: ['セットID', 'Set ID'], 2: ['依頼者オーダ番号', 'Placer order number'], 3: ['実施者オーダ番号', 'Filler order number'], 4: ['検査項目', 'Universal service identifier'], 7: ['検査日時', 'Observation date/time'],
    16: ['依頼者', 'Ordering provider'], 22: ['結果報告日時', 'Results report date/time'], 25: ['結果状態', 'Result status'],
  },
  SPM: { 1: ['セットID', 'Set ID'], 2: ['検体ID', 'Specimen ID'], 4: ['検体種別', 'Specimen type'], 17: ['採取日時', 'Specimen collection date/time'] },
  NTE: { 1: ['セットID', 'Set ID'], 2: ['コメント元', 'Source of comment'], 3: ['コメント', 'Comment'] },
};

export function fieldName(segment: string, n: number, lang: 'ja' | 'en'): string {
  const names = FIELD_NAMES[segment]?.[n];
  return names ? names[lang === 'ja' ? 0 : 1] : '';
}

export function segmentName(segment: string, lang: 'ja' | 'en'): string {
  const names = SEGMENT_NAMES[segment];
  return names ? names[lang === 'ja' ? 0 : 1] : '';
}
