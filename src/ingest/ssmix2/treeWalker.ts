/**
 * Walks an SS-MIX2 storage tree (ROOT/PID[0:3]/PID[3:6]/PID/CareDate/DataType/file) patient by patient,
 * in name order: within a patient the '-' folder (ADT-00, the patient itself) comes before the dated
 * ones, and the versions of one order before their successors (the timestamp follows the order number
 * in the name). Anything found at another depth is reported, never passed over.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface PatientFolder {
  /** Relative path of the patient folder (aaa/bbb/PID). */
  folder: string;
  /** Relative paths (with '/') of its files at the storage depth, in order. */
  files: string[];
  /** Relative paths of entries at the wrong depth (a file where a folder belongs, or deeper). */
  stray: string[];
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Synchronous on purpose: one readdir per folder, and a thread-pool round trip each costs more than the call. */
function entries(dir: string): { name: string; dir: boolean }[] {
  const list = fs.readdirSync(dir, { withFileTypes: true });
  return list.map((e) => ({ name: e.name, dir: e.isDirectory() })).sort((a, b) => byName(a.name, b.name));
}

/** Every file under a folder, as relative paths (for what lies where no file should). */
function allFiles(root: string, rel: string): string[] {
  const out: string[] = [];
  for (const e of entries(path.join(root, rel))) {
    const r = `${rel}/${e.name}`;
    if (e.dir) out.push(...allFiles(root, r));
    else out.push(r);
  }
  return out;
}

/** The patient folders of the tree, each with its files. Stray entries above patient level come as their own folder. */
export function* walkStorage(root: string): Generator<PatientFolder> {
  for (const a of entries(root)) {
    if (!a.dir) {
      yield { folder: '', files: [], stray: [a.name] };
      continue;
    }
    for (const b of entries(path.join(root, a.name))) {
      const ab = `${a.name}/${b.name}`;
      if (!b.dir) {
        yield { folder: a.name, files: [], stray: [ab] };
        continue;
      }
      for (const p of entries(path.join(root, ab))) {
        const folder = `${ab}/${p.name}`;
        if (!p.dir) {
          yield { folder: ab, files: [], stray: [folder] };
          continue;
        }
        yield patientFolder(root, folder);
      }
    }
  }
}

function patientFolder(root: string, folder: string): PatientFolder {
  const files: string[] = [];
  const stray: string[] = [];
  for (const date of entries(path.join(root, folder))) {
    const d = `${folder}/${date.name}`;
    if (!date.dir) {
      stray.push(d);
      continue;
    }
    for (const type of entries(path.join(root, d))) {
      const t = `${d}/${type.name}`;
      if (!type.dir) {
        stray.push(t);
        continue;
      }
      for (const f of entries(path.join(root, t))) {
        const rel = `${t}/${f.name}`;
        if (f.dir) stray.push(...allFiles(root, rel));
        else files.push(rel);
      }
    }
  }
  return { folder, files, stray };
}
