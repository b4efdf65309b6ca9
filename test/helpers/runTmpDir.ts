/**
 * Loaded by mocha before any test (.mocharc.json `require`): every temporary folder of the run goes
 * under one folder of its own, removed when the run ends. Tests, and the hie and rsyslog processes
 * they start (which inherit TMPDIR), make hundreds of folders through os.tmpdir(), some holding
 * databases of hundreds of MB; left behind, a developer's /tmp fills up run after run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-run-'));
process.env.TMPDIR = runDir;
process.on('exit', () => fs.rmSync(runDir, { recursive: true, force: true }));
