/**
 * What synthetic patients and their data are made of: Japanese names in kanji and kana with the
 * variant spellings real registers hold, addresses, departments, and clinical codes. Every code here
 * is illustrative, written for this generator in the shape of the real code system (JLAC10 17
 * characters, HOT9 9 digits, MEDIS disease name exchange codes with ICD-10, JJ1017 32 digits); none
 * is taken from the published masters, and none should be read as the official meaning of a code.
 */

/** Family names: kanji, kana, and a variant kanji spelling (old or alternative forms of JIS X 0208). */
export const FAMILY_NAMES: readonly { kanji: string; kana: string; variant?: string }[] = [
  { kanji: '佐藤', kana: 'サトウ' },
  { kanji: '鈴木', kana: 'スズキ' },
  { kanji: '高橋', kana: 'タカハシ' },
  { kanji: '田中', kana: 'タナカ' },
  { kanji: '渡辺', kana: 'ワタナベ', variant: '渡邊' },
  { kanji: '伊藤', kana: 'イトウ' },
  { kanji: '山本', kana: 'ヤマモト' },
  { kanji: '中村', kana: 'ナカムラ' },
  { kanji: '小林', kana: 'コバヤシ' },
  { kanji: '斎藤', kana: 'サイトウ', variant: '齋藤' },
  { kanji: '加藤', kana: 'カトウ' },
  { kanji: '吉田', kana: 'ヨシダ' },
  { kanji: '山田', kana: 'ヤマダ' },
  { kanji: '佐々木', kana: 'ササキ' },
  { kanji: '松本', kana: 'マツモト' },
  { kanji: '井上', kana: 'イノウエ' },
  { kanji: '木村', kana: 'キムラ' },
  { kanji: '清水', kana: 'シミズ' },
  { kanji: '長谷川', kana: 'ハセガワ' },
  { kanji: '小沢', kana: 'オザワ', variant: '小澤' },
  { kanji: '広瀬', kana: 'ヒロセ', variant: '廣瀬' },
  { kanji: '浜田', kana: 'ハマダ', variant: '濱田' },
  { kanji: '島田', kana: 'シマダ', variant: '嶋田' },
  { kanji: '桜井', kana: 'サクライ', variant: '櫻井' },
  { kanji: '望月', kana: 'モチヅキ' },
  { kanji: '杉山', kana: 'スギヤマ' },
];

/** Given names, with a kana variant where registers differ (long vowel written ー or ウ). */
export const GIVEN_NAMES: readonly { kanji: string; kana: string; sex: 'M' | 'F'; kanaVariant?: string }[] = [
  { kanji: '太郎', kana: 'タロウ', sex: 'M', kanaVariant: 'タロー' },
  { kanji: '一郎', kana: 'イチロウ', sex: 'M', kanaVariant: 'イチロー' },
  { kanji: '健太', kana: 'ケンタ', sex: 'M' },
  { kanji: '翔', kana: 'ショウ', sex: 'M', kanaVariant: 'ショー' },
  { kanji: '大輔', kana: 'ダイスケ', sex: 'M' },
  { kanji: '誠', kana: 'マコト', sex: 'M' },
  { kanji: '浩二', kana: 'コウジ', sex: 'M', kanaVariant: 'コージ' },
  { kanji: '勇気', kana: 'ユウキ', sex: 'M', kanaVariant: 'ユーキ' },
  { kanji: '花子', kana: 'ハナコ', sex: 'F' },
  { kanji: '裕子', kana: 'ユウコ', sex: 'F', kanaVariant: 'ユーコ' },
  { kanji: '美咲', kana: 'ミサキ', sex: 'F' },
  { kanji: '恵子', kana: 'ケイコ', sex: 'F' },
  { kanji: '陽子', kana: 'ヨウコ', sex: 'F', kanaVariant: 'ヨーコ' },
  { kanji: '由美', kana: 'ユミ', sex: 'F' },
  { kanji: '直美', kana: 'ナオミ', sex: 'F' },
  { kanji: '優子', kana: 'ユウコ', sex: 'F', kanaVariant: 'ユーコ' },
];

export const ADDRESSES: readonly { zip: string; text: string }[] = [
  { zip: '422-8033', text: '静岡県静岡市駿河区登呂三丁目' },
  { zip: '420-0853', text: '静岡県静岡市葵区追手町' },
  { zip: '430-0944', text: '静岡県浜松市中央区田町' },
  { zip: '410-0801', text: '静岡県沼津市大手町' },
  { zip: '424-0816', text: '静岡県静岡市清水区真砂町' },
  { zip: '417-0055', text: '静岡県富士市永田町' },
];

export const FACILITY_NAMES: readonly string[] = ['登呂中央病院', '駿河総合病院', '清水港クリニック', '葵町医院', '浜松北病院', '沼津みなと病院'];

export const DEPARTMENTS: readonly { code: string; name: string }[] = [
  { code: '01', name: '内科' },
  { code: '10', name: '外科' },
  { code: '13', name: '整形外科' },
  { code: '15', name: '呼吸器外科' },
  { code: '24', name: '産婦人科' },
];

/** Oral medicines: HOT9-shaped codes (illustrative), dose unit and a usual daily amount. */
export const ORAL_DRUGS: readonly { hot9: string; name: string; unit: [string, string]; amount: number }[] = [
  { hot9: '112233401', name: 'アムロジピン錠５ｍｇ', unit: ['TAB', '錠'], amount: 1 },
  { hot9: '112890201', name: 'メトホルミン塩酸塩錠２５０ｍｇ', unit: ['TAB', '錠'], amount: 2 },
  { hot9: '113045601', name: 'ロキソプロフェンナトリウム錠６０ｍｇ', unit: ['TAB', '錠'], amount: 3 },
  { hot9: '114567801', name: 'ファモチジン錠２０ｍｇ', unit: ['TAB', '錠'], amount: 2 },
  { hot9: '115678902', name: 'アトルバスタチン錠１０ｍｇ', unit: ['TAB', '錠'], amount: 1 },
  { hot9: '116789003', name: 'レバミピド錠１００ｍｇ', unit: ['TAB', '錠'], amount: 3 },
];

export const INJECTIONS: readonly { hot9: string; name: string; unit: [string, string] }[] = [
  { hot9: '620123401', name: '生理食塩液５００ｍＬ', unit: ['HON', '本'] },
  { hot9: '620234502', name: '維持液３号５００ｍＬ', unit: ['HON', '本'] },
  { hot9: '620345603', name: 'セファゾリンナトリウム注射用１ｇ', unit: ['V', '瓶'] },
];

export const DOSAGES: readonly { code: string; text: string }[] = [
  { code: '1013044400000000', text: '内服・経口・１日３回朝昼夕食後' },
  { code: '1012040400000000', text: '内服・経口・１日２回朝夕食後' },
  { code: '1011000400000000', text: '内服・経口・１日１回朝食後' },
];

/** Laboratory tests: JLAC10-shaped codes (illustrative), unit, reference range, typical mean and spread. */
export const LAB_TESTS: readonly { jlac10: string; name: string; unit: string; range: string; mean: number; sd: number; digits: number }[] = [
  { jlac10: '3A010000002327101', name: '総蛋白', unit: 'g/dL', range: '6.6-8.1', mean: 7.2, sd: 0.4, digits: 1 },
  { jlac10: '3A015000002327101', name: 'アルブミン', unit: 'g/dL', range: '4.1-5.1', mean: 4.4, sd: 0.3, digits: 1 },
  { jlac10: '3B035000002327201', name: 'AST', unit: 'U/L', range: '13-30', mean: 24, sd: 8, digits: 0 },
  { jlac10: '3B045000002327201', name: 'ALT', unit: 'U/L', range: '10-42', mean: 22, sd: 10, digits: 0 },
  { jlac10: '3C015000002327101', name: 'クレアチニン', unit: 'mg/dL', range: '0.46-1.07', mean: 0.8, sd: 0.2, digits: 2 },
  { jlac10: '3D010000001926101', name: 'グルコース', unit: 'mg/dL', range: '73-109', mean: 102, sd: 20, digits: 0 },
  { jlac10: '3D046000001906202', name: 'ＨｂＡ１ｃ', unit: '%', range: '4.9-6.0', mean: 5.8, sd: 0.6, digits: 1 },
  { jlac10: '2A990000001930952', name: '白血球数', unit: '10*3/uL', range: '3.3-8.6', mean: 6.1, sd: 1.5, digits: 1 },
];

export const SPECIMENS: readonly { code: string; name: string }[] = [
  { code: '023', name: '血清' },
  { code: '019', name: '全血' },
];

/** Diseases: MEDIS exchange-code-shaped codes (illustrative) with their ICD-10 codes. */
export const DISEASES: readonly { medis: string; name: string; icd10: string }[] = [
  { medis: '20061234', name: '本態性高血圧症', icd10: 'I10' },
  { medis: '20062345', name: '２型糖尿病', icd10: 'E119' },
  { medis: '20063456', name: '脂質異常症', icd10: 'E785' },
  { medis: '20064567', name: '慢性胃炎', icd10: 'K295' },
  { medis: '20065678', name: '変形性膝関節症', icd10: 'M179' },
  { medis: '20066789', name: '気管支喘息', icd10: 'J459' },
];

export const ALLERGENS: readonly { kind: [string, string]; code: string; system: string; name: string; reaction: string }[] = [
  { kind: ['DA', '薬剤アレルギー'], code: '113045601', system: 'HOT9', name: 'ロキソプロフェン', reaction: '蕁麻疹' },
  { kind: ['FA', '食物アレルギー'], code: '5A1002411023006', system: 'JC10', name: 'ソバ', reaction: '湿疹' },
  { kind: ['LA', '花粉アレルギー'], code: '5A1002216023023', system: 'JC10', name: 'スギ', reaction: '鼻汁' },
  { kind: ['FA', '食物アレルギー'], code: '5A1002415023006', system: 'JC10', name: '卵白', reaction: '腹痛' },
];

/** Radiology, endoscopy and physiology examinations (JJ1017-shaped and JC10-shaped codes, illustrative). */
export const RADIOLOGY: readonly { code: string; name: string; modality: string }[] = [
  { code: '10000002000102000000010000000000', name: '胸部.Ｘ線単純撮影.立位正面', modality: 'CR' },
  { code: '10000002500102000000010000000000', name: '腹部.Ｘ線単純撮影.立位正面', modality: 'CR' },
  { code: '20000001000100000000010000000000', name: '頭部.ＣＴ.単純', modality: 'CT' },
];

export const ENDOSCOPY = { code: '11000001000', name: '検査.上部.-.-.上部通常内視鏡.-', system: 'LENDO' } as const;

export const ECG = { code: '9A110', name: '標準１２誘導心電図', system: 'JC10' } as const;

export const DIETS: readonly { code: string; name: string }[] = [
  { code: '001', name: '常食' },
  { code: '002', name: '塩分制限食（６ｇ）' },
  { code: '003', name: 'エネルギー制限食（１６００ｋｃａｌ）' },
];
