/**
 * No module of src/ awaits at its top level. Worker threads load src/ modules, and servers stop
 * threads that may still be starting: a thread terminated while an async module (one with a
 * top-level await) evaluates aborts the whole process in V8 ("Check failed: (location_) != nullptr"
 * in SourceTextModule::ExecuteAsyncModule; nodejs/node#43182, #53238), which a loaded test run hit.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '..');

/** file:line of every await (and for await) outside any function. */
export function topLevelAwaits(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (n: ts.Node, inFunction: boolean): void => {
    const inside = inFunction || ts.isFunctionLike(n);
    if (!inside && (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier))) {
      found.push(`${file}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`);
    }
    ts.forEachChild(n, (c) => visit(c, inside));
  };
  visit(sf, false);
  return found;
}

describe('architecture: no top-level await in src/', () => {
  it('finds none in the modules of src/ (threads load them)', () => {
    const files = execFileSync('git', ['ls-files', 'src/*.ts', 'src/*.mjs'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    expect(files.length).to.be.greaterThan(200);
    const found = files.flatMap((f) => topLevelAwaits(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(found).to.deep.equal([]);
  });

  it('tells a top-level await from one inside a function', () => {
    expect(topLevelAwaits('a.mjs', 'await import("x");\nfor await (const y of z) {}\n')).to.deep.equal(['a.mjs:1', 'a.mjs:2']);
    expect(topLevelAwaits('b.ts', 'async function f() { await g(); }\nconst h = async () => { for await (const y of z) {} };\n')).to.deep.equal([]);
  });
});
