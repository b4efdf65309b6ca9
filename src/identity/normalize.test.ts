import { expect } from 'chai';
import { addressKey, digitsKey, nameKey } from './normalize.ts';

describe('name keys', () => {
  it('fold hiragana, half-width and full-width katakana together', () => {
    expect(nameKey('かんじゃ')).to.equal(nameKey('カンジャ'));
    expect(nameKey('ｶﾝｼﾞｬ')).to.equal(nameKey('カンジャ'));
    expect(nameKey('カンジャ')).to.equal('カンジヤ');
  });

  it('fold full-width Latin and case', () => {
    expect(nameKey('ＹＡＭＡＤＡ')).to.equal('YAMADA');
    expect(nameKey('Yamada')).to.equal('YAMADA');
  });

  it('drop spaces (including the ideographic space) and middle dots', () => {
    expect(nameKey('山田　太郎')).to.equal('山田太郎');
    expect(nameKey('ジョン・スミス')).to.equal('ジヨンスミス');
  });

  it('fold common kanji variants in names', () => {
    expect(nameKey('髙橋')).to.equal(nameKey('高橋'));
    expect(nameKey('渡邊')).to.equal(nameKey('渡辺'));
    expect(nameKey('山﨑')).to.equal(nameKey('山崎'));
  });
});

describe('digit and address keys', () => {
  it('compare phone numbers by digits', () => {
    expect(digitsKey('054-000-0000')).to.equal('0540000000');
    expect(digitsKey('０５４－０００－００００')).to.equal('0540000000');
  });

  it('fold full-width digits and block markers in addresses', () => {
    expect(addressKey('静岡県静岡市登呂１－３－５')).to.equal(addressKey('静岡県静岡市登呂1-3-5'));
    expect(addressKey('東京都港区鹿ノ門６丁目３番３号')).to.equal(addressKey('東京都港区鹿ノ門6-3-3'));
  });
});
