/** SS-MIX2 material for tests: the reference sample tree, and small trees written on the fly. */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { encodeMessage } from '../../src/hl7v2/charset.ts';
import { PROJECT_ROOT } from './conformance.ts';

/** ../shared/ssmix2-reference (or HIE_SSMIX2_REFERENCE_DIR): the storage guideline's sample messages. */
export function ssmix2ReferenceDir(): string {
  const configured = process.env.HIE_SSMIX2_REFERENCE_DIR;
  const dir = path.resolve(PROJECT_ROOT, configured && configured.trim() !== '' ? configured : path.join('..', 'shared', 'ssmix2-reference'));
  if (!fs.existsSync(path.join(dir, 'sampleData'))) throw new Error(`SS-MIX2 reference material missing: ${dir}/sampleData; set HIE_SSMIX2_REFERENCE_DIR`);
  return dir;
}

/** Every file of a tree, as relative paths with '/'. */
export function filesOf(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesOf(root, r));
    else out.push(r);
  }
  return out;
}

/** Writes a message (CR-separated text) as ISO-2022-JP into its place in a storage tree; returns the relative path. */
export function writeStored(root: string, name: string, text: string | Buffer): string {
  const [pid, careDate, type] = name.split('_');
  const rel = [pid.slice(0, 3), pid.slice(3, 6), pid, careDate, type, name].join('/');
  fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), typeof text === 'string' ? encodeMessage(text, 'iso-2022-jp') : text);
  return rel;
}

const MSH = (type: string, id: string) => `MSH|^~\\&|HIS|HOSP|GW|RCV|20240401101500||${type}|${id}|P|2.5||||||~ISO IR87||ISO 2022-1994`;

export const samples = {
  adt00: (pid: string, name = '山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P', extraIds = '') =>
    [MSH('ADT^A08^ADT_A01', `A${pid}`), 'EVN||20240401101500', `PID|0001||${pid}^^^^PI${extraIds}||${name}||19650415|M`, 'PV1|0001|O'].join('\r'),
  rde: (pid: string, order: string, drug = '108665201^ダーゼン錠（５mg)^HOT9', date = '20240401093000') =>
    [
      MSH('RDE^O11^RDE_O11', `R${order}${date}`),
      `PID|0001||${pid}^^^^PI||山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P||19650415|M`,
      'PV1|0001|O|01^^^^^C',
      `ORC|NW|${order}||1|||||${date}|||110^医師^一郎^^^^^^^L^^^^^I|||||01^内科^99XY1`,
      `RXE||${drug}|1||TAB^錠^MR9P`,
      'RXR|PO^口^HL70162',
    ].join('\r'),
};

/** `hie ARGS` as a child process (to kill it, or to watch its output as it runs). */
export function spawnHie(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli/main.ts'), ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => stdout + stderr,
    /** Resolves once stdout matches (fails after `ms`). */
    async waitFor(re: RegExp, ms = 30_000): Promise<void> {
      const until = Date.now() + ms;
      while (!re.test(stdout)) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${re}: ${stdout}${stderr}`);
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${re}: ${stdout}${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/**
 * A small tree of versions: patient 1234567 fed by ADT-00; order 100 written, superseded (condition
 * 2) and written again; order 200 written; with `deleted`, order 200 deleted the next day (condition
 * 0); with `unknownPatient`, an order of patient 7654321, whom no ADT-00 registers.
 */
export function writeVersionsTree(root: string, o: { deleted?: boolean; unknownPatient?: boolean } = {}): void {
  writeStored(root, '1234567_-_ADT-00_999999999999999_20240401101500000_-_1', samples.adt00('1234567'));
  writeStored(root, '1234567_20240401_OMP-01_100_20240401101500000_01_2', samples.rde('1234567', '100'));
  writeStored(root, '1234567_20240401_OMP-01_100_20240401111500000_01_1', samples.rde('1234567', '100', '110626901^パンスポリンＴ錠（１００mg)^HOT9', '20240401111500'));
  writeStored(root, '1234567_20240401_OMP-01_200_20240401101500000_01_1', samples.rde('1234567', '200'));
  if (o.deleted) writeStored(root, '1234567_20240401_OMP-01_200_20240402090000000_01_0', samples.rde('1234567', '200', undefined, '20240402090000'));
  if (o.unknownPatient) writeStored(root, '7654321_20240401_OMP-01_300_20240401101500000_01_1', samples.rde('7654321', '300'));
}
