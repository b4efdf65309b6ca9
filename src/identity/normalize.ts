/**
 * Search and matching keys for Japanese demographics. Hospitals write one name many ways: full- or
 * half-width, hiragana or katakana, with or without the space between family and given name, old or
 * new forms of a kanji. Keys fold those differences away so that equal names give equal keys.
 */

/** Kanji variants common in personal names (itaiji -> common form). */
const KANJI_VARIANTS: Record<string, string> = {
  髙: '高', 﨑: '崎', 嵜: '崎', 邊: '辺', 邉: '辺', 齋: '斎', 齊: '斉', 澤: '沢', 濱: '浜', 櫻: '桜',
  廣: '広', 德: '徳', 國: '国', 眞: '真', 冨: '富', 惠: '恵', 學: '学', 圓: '円', 實: '実', 藏: '蔵',
  龍: '竜', 槇: '槙', 濵: '浜', 栁: '柳', 淵: '渕', 嶋: '島', 嶌: '島',
};

const SMALL_KANA: Record<string, string> = {
  ァ: 'ア', ィ: 'イ', ゥ: 'ウ', ェ: 'エ', ォ: 'オ', ッ: 'ツ', ャ: 'ヤ', ュ: 'ユ', ョ: 'ヨ', ヮ: 'ワ', ヵ: 'カ', ヶ: 'ケ',
};

/** Hiragana -> katakana (U+3041..U+3096 -> U+30A1..U+30F6). */
function toKatakana(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c >= 0x3041 && c <= 0x3096 ? String.fromCodePoint(c + 0x60) : ch;
  }
  return out;
}

/**
 * The search key of a name part: NFKC (full-width Latin and digits to half width, half-width kana to
 * full width), hiragana to katakana, small kana to large, kanji variants to their common form, Latin
 * upper-cased, and spaces, middle dots and hyphens removed.
 */
export function nameKey(s: string): string {
  if (!s) return '';
  let k = s.normalize('NFKC');
  k = toKatakana(k);
  k = k.replace(/[ァィゥェォッャュョヮヵヶ]/g, (c) => SMALL_KANA[c] ?? c);
  k = k.replace(/[^\u0000-\u007f]/g, (c) => KANJI_VARIANTS[c] ?? c);
  k = k.toUpperCase();
  k = k.replace(/[\s・･.\-‐－―−]/g, '');
  return k;
}

/** Digits only: phone numbers and postal codes compare by their digits. */
export function digitsKey(s: string): string {
  return s.normalize('NFKC').replace(/\D/g, '');
}

/** Addresses: the name key, which also folds full-width digits and the hyphens between them. */
export function addressKey(s: string): string {
  return nameKey(s).replace(/[丁目番地号の]/g, '');
}
