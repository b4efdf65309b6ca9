/** The ingest's words for a person: a progress line on a terminal, and the closing report. */
import { REJECT_REASONS } from '../sharing.ts';
import type { IngestCounts, IngestReport } from './ingestRun.ts';

const rate = (n: number, ms: number) => (ms > 0 ? Math.round((n * 1000) / ms) : 0);

/**
 * Files whose outcome is known: taken in (a patient fed, a document registered or removed, found
 * registered already), unchanged, or rejected. A document file read but still waiting for its
 * patient's submission is not yet among them.
 */
export function settledFiles(c: IngestCounts): number {
  return c.unchanged + c.patients + c.documents + c.removed + c.alreadyRegistered + c.rejected;
}

/** One line: a bar of files settled of total, files read, documents registered and their rate, patients, rejections. */
export function progressLine(c: IngestCounts, total: number, elapsedMs: number, width = 24): string {
  const settled = settledFiles(c);
  const done = total > 0 ? Math.min(1, settled / total) : 1;
  const filled = Math.round(done * width);
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${settled}/${total} files done (${c.files} read)  ` +
    `documents registered ${c.documents} (${rate(c.documents, elapsedMs)}/s)  patients ${c.patients}  unchanged ${c.unchanged}  rejected ${c.rejected}`
  );
}

/** Redraws the progress line on a terminal, at most every `everyMs`. */
export class ProgressBar {
  private last = 0;
  private readonly started = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly everyMs = 100,
  ) {}

  update(c: IngestCounts, total: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < this.everyMs) return;
    this.last = now;
    const width = this.out.columns || 120;
    const line = progressLine(c, total, now - this.started, 24).slice(0, Math.max(20, width - 1));
    this.out.write(`\r\x1b[K${line}`);
  }

  done(): void {
    this.out.write('\r\x1b[K');
  }
}

export function closingReport(root: string, facility: string, r: IngestReport): string {
  const c = r.counts;
  const lines = [
    `SS-MIX2 ingest of ${root} for facility ${facility}: ${c.files} files in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate(c.files - c.unchanged, r.elapsedMs)} files/s taken in)`,
    `  patients fed (ADT-00)     ${c.patients}`,
    `  documents registered      ${c.documents} (${c.replacing} replacing an earlier version, ${c.deprecated} registered Deprecated)`,
    `  documents removed         ${c.removed}`,
    `  found already registered  ${c.alreadyRegistered}`,
    `  unchanged since last run  ${c.unchanged}`,
    `  rejected                  ${c.rejected}`,
  ];
  if (r.rejected.length > 0) {
    const byReason = new Map<string, number>();
    for (const x of r.rejected) byReason.set(x.reason, (byReason.get(x.reason) ?? 0) + 1);
    lines.push(`Rejected files (${[...byReason].map(([k, n]) => `${REJECT_REASONS[k as keyof typeof REJECT_REASONS]}: ${n}`).join(', ')}):`);
    for (const x of r.rejected) lines.push(`  ${x.path}\n    ${REJECT_REASONS[x.reason]}: ${x.detail}`);
  }
  return lines.join('\n') + '\n';
}
