import { expect } from 'chai';
import { features, scoreMatch } from './matching.ts';
import type { Demographics } from './types.ts';

const demo = (o: { kanji?: string[]; kana?: string[]; dob?: string; sex?: string; addr?: string; zip?: string; tel?: string }): Demographics => ({
  fields: {
    5: [
      ...(o.kanji ? [[[o.kanji[0]], [o.kanji[1]], [''], [''], [''], [''], ['L'], ['I']]] : []),
      ...(o.kana ? [[[o.kana[0]], [o.kana[1]], [''], [''], [''], [''], ['L'], ['P']]] : []),
    ],
    7: [[[o.dob ?? '']]],
    8: [[[o.sex ?? '']]],
    11: o.addr || o.zip ? [[[''], [''], [''], [''], [o.zip ?? ''], ['JPN'], ['H'], [o.addr ?? '']]] : [],
    13: o.tel ? [[[''], ['PRN'], ['PH'], [''], [''], [''], [''], [''], [''], [''], [''], [o.tel]]] : [],
  },
});

describe('demographic matching', () => {
  const taro = demo({ kanji: ['患者', '太郎'], kana: ['カンジャ', 'タロウ'], dob: '19480405', sex: 'M', addr: '静岡県静岡市登呂１－３－５', zip: '422-8033', tel: '054-000-0000' });

  it('scores the same person written differently near 1', () => {
    const other = demo({ kanji: ['患者', '太郎'], kana: ['ｶﾝｼﾞｬ', 'ﾀﾛｳ'], dob: '19480405', sex: 'M', addr: '静岡県静岡市登呂1-3-5', tel: '0540000000' });
    const s = scoreMatch(features(taro), features(other));
    expect(s.score).to.be.greaterThan(0.9);
    expect(s.reasons).to.include.members(['birthDate', 'kanaName', 'name', 'address', 'phone']);
  });

  it('matches a kana-only record on kana and birth date, below a full match', () => {
    const kanaOnly = demo({ kana: ['かんじゃ', 'たろう'], dob: '19480405', sex: 'M' });
    const s = scoreMatch(features(taro), features(kanaOnly));
    expect(s.score).to.equal(0.55);
  });

  it('never matches across birth dates or sexes', () => {
    expect(scoreMatch(features(taro), features(demo({ kanji: ['患者', '太郎'], dob: '19480406', sex: 'M' }))).score).to.equal(0);
    expect(scoreMatch(features(taro), features(demo({ kanji: ['患者', '太郎'], dob: '19480405', sex: 'F' }))).score).to.equal(0);
  });
});
