/**
 * The direction of dependencies (../shared/design/ARCHITECTURE.md), checked by dependency-cruiser
 * with the project's rule file (.dependency-cruiser.cjs): every module of src/, every rule.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { tempDir } from './helpers/hieServer.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

function cruise(dir: string, cwd = ROOT): { violations: Violation[]; totalCruised: number } {
  const r = spawnSync(BIN, [dir, '--config', path.join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  const out = JSON.parse(r.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  return out.summary;
}

describe('architecture: the direction of dependencies', function () {
  this.timeout(120_000);

  it('src/ keeps every rule of .dependency-cruiser.cjs', () => {
    const { violations, totalCruised } = cruise('src');
    expect(totalCruised).to.be.greaterThan(200);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).to.deep.equal([]);
  });

  it('the rules catch a codec that imports a service, an edge or a service that imports a profile, and a cycle', () => {
    const dir = tempDir('hie-arch-');
    const put = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    };
    put('src/identity/service.ts', "import { a } from '../pix/iti9/transaction.ts';\nexport const s = a;\n");
    put('src/pix/iti9/transaction.ts', "export const a = 1;\n");
    put('src/hl7v2/message.ts', "import { s } from '../identity/service.ts';\nexport const m = s;\n");
    put('src/hl7v2/endpoint.ts', "import { s } from '../identity/service.ts';\nimport { a } from '../pix/iti9/transaction.ts';\nexport const e = [s, a];\n");
    put('src/kernel/a.ts', "import { b } from './b.ts';\nexport const a = b;\n");
    put('src/kernel/b.ts', "import { a } from './a.ts';\nexport const b = () => a;\n");
    put('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }));
    const found = cruise('src', dir).violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
    expect(found.sort()).to.deep.equal([
      'codecs-use-only-codecs-and-kernel: src/hl7v2/message.ts -> src/identity/service.ts',
      'edges-use-services-not-profiles: src/hl7v2/endpoint.ts -> src/pix/iti9/transaction.ts',
      'no-circular: src/kernel/a.ts -> src/kernel/b.ts',
      'services-do-not-import-profiles: src/identity/service.ts -> src/pix/iti9/transaction.ts',
    ]);
  });
});
