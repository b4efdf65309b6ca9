/**
 * Every table of README.md renders as a table on GitHub (GitHub Flavored Markdown, "Tables"): a
 * header row, then a delimiter row with as many cells, then rows of that many cells; a pipe inside a
 * cell is escaped (`\|`). A run of table rows without its header and delimiter renders as text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const README = path.resolve(import.meta.dirname, '..', 'README.md');

/** The cells of a table row: split on unescaped pipes, the leading and trailing pipe dropped. */
export function cellsOf(row: string): string[] {
  const cells = row.trim().split(/(?<!\\)\|/);
  return cells.slice(1, -1);
}

export function tableProblems(markdown: string): string[] {
  const lines = markdown.split('\n');
  const problems: string[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*```/.test(lines[i])) inFence = !inFence;
    if (inFence || !lines[i].startsWith('|')) continue;
    const start = i;
    while (i + 1 < lines.length && lines[i + 1].startsWith('|')) i++;
    const block = lines.slice(start, i + 1);
    const where = (k: number) => `README.md:${start + k + 1}`;
    if (block.length < 2 || !/^\|(\s*:?-+:?\s*\|)+\s*$/.test(block[1])) {
      problems.push(`${where(0)}: table rows without a header and delimiter row`);
      continue;
    }
    const width = cellsOf(block[0]).length;
    if (cellsOf(block[1]).length !== width) problems.push(`${where(1)}: the delimiter row has ${cellsOf(block[1]).length} cells, the header ${width}`);
    block.forEach((row, k) => {
      if (!row.trimEnd().endsWith('|')) problems.push(`${where(k)}: the row does not end with a pipe`);
      else if (cellsOf(row).length !== width) problems.push(`${where(k)}: ${cellsOf(row).length} cells, the header has ${width}`);
    });
  }
  return problems;
}

describe('README.md tables', () => {
  it('each has a header row, a delimiter row and rows of as many cells (Ports, configuration, ...)', () => {
    const text = fs.readFileSync(README, 'utf8');
    expect(tableProblems(text)).to.deep.equal([]);
    for (const header of ['| listener | default | flag | what |', '| key | default | meaning |']) expect(text).to.contain(header);
  });

  it('finds the faults it is there for', () => {
    const table = '| a | b |\n|---|---|\n| 1 | 2 |\n';
    expect(tableProblems(table)).to.deep.equal([]);
    expect(tableProblems('| a `x\\|y` | b |\n|---|---|\n| 1 | 2 |\n')).to.deep.equal([]);
    expect(tableProblems(`${table}\ntext\n\n| 3 | 4 |\n`)).to.deep.equal(['README.md:7: table rows without a header and delimiter row']);
    expect(tableProblems('| a | b |\n|---|---|\n| 1 | 2 | (note)\n')).to.deep.equal(['README.md:3: the row does not end with a pipe']);
    expect(tableProblems('| a | b |\n|---|---|\n| 1 | 2 | 3 |\n')).to.deep.equal(['README.md:3: 3 cells, the header has 2']);
  });
});
