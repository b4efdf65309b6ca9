import { expect } from 'chai';
import { numberPlaceholders } from './sql.ts';

describe('PostgreSQL placeholders', () => {
  it('numbers the ? marks in order, leaving those inside quoted strings and identifiers', () => {
    expect(numberPlaceholders('SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?')).to.equal('SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4');
    expect(numberPlaceholders(`SELECT '?' AS q, "odd?" FROM t WHERE p ILIKE ? ESCAPE '\\' AND x = ?`)).to.equal(`SELECT '?' AS q, "odd?" FROM t WHERE p ILIKE $1 ESCAPE '\\' AND x = $2`);
    expect(numberPlaceholders("WHERE s = 'it''s?' AND t = ?")).to.equal("WHERE s = 'it''s?' AND t = $1");
  });
});
