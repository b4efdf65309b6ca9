/**
 * The patient access report as a page a patient reads (Japanese and English), on a phone or on paper:
 * a summary, then one row per access, newest first, in the configured time zone, each user by the name
 * the config gives it; emergency access marked in words as well as colour so that it survives a
 * black-and-white printer. On a narrow screen each access is a card of labelled lines; print CSS for
 * A4 landscape with the table header repeated on every page. The page brings its own Japanese font
 * (Noto Sans JP, served by this server: fontRoutes.ts), so that a machine without CJK fonts shows text,
 * not empty boxes.
 */
import { localTime } from '../../kernel/timeZone.ts';
import type { AccessEntry, AccessReport } from './accessReport.ts';
import { FONT_FAMILY, fontStylesheets } from './fontRoutes.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const KIND_JA: Record<AccessEntry['kind'], string> = {
  'record created': '記録の登録',
  'record updated': '記録の更新',
  'record deleted': '記録の削除',
  'record read': '記録の閲覧',
  searched: '検索',
  'documents sent': '文書の送信',
  'documents received': '文書の受信',
  'audit trail read': '監査記録の閲覧',
  other: 'その他',
};

/** Who sent a received event, and a warning when its claimed source is not the sender's. */
function senderNote(e: AccessEntry): string {
  const from = e.receivedFrom ? `<div class="en">received from node ${esc(e.receivedFrom)}</div>` : '';
  if (e.senderMark === 'source-not-sender') return `${from}<strong class="flag">⚠ 送信元と記録元が不一致 / AuditSourceID is not the sender's</strong>`;
  if (e.senderMark === 'unknown-sender') return `${from}<strong class="flag">⚠ 未登録の送信元 / sent by an unknown node</strong>`;
  return from;
}

/** A UTC instant in the report's time zone: `2024-03-04 00:30:05 (+09:00)`. */
export function shownTime(iso: string, timeZone: string): string {
  const t = localTime(iso, timeZone);
  return t ? `${t.text} (${t.offset})` : iso;
}

const HEADERS = ['日時 / When', '施設 / Facility', '利用者 / User', '内容 / What', '取引 / Transaction', '目的 / Purpose', '結果 / Outcome', '患者ID / Identifier', '記録元 / Reported by'];

function row(e: AccessEntry, timeZone: string): string {
  const purpose = e.purposeOfUse.map((p) => esc(p.name || p.code)).join(', ');
  const cells = [
    `<time datetime="${esc(e.time)}">${esc(shownTime(e.time, timeZone))}</time>`,
    esc(e.facilityName || e.facility || '—'),
    `${esc(e.who)}${e.addresses.length ? `<div class="addr">${e.addresses.map(esc).join(', ')}</div>` : ''}`,
    `${esc(KIND_JA[e.kind])}<div class="en">${esc(e.kind)}</div>`,
    e.transaction ? `${esc(e.transaction.code)}<div class="en">${esc(e.transaction.name)}</div>` : esc(e.event.name),
    `${e.emergency ? '<strong class="flag">⚠ 緊急アクセス / Emergency access</strong><br>' : ''}${purpose || '—'}`,
    `${e.success ? '成功 / success' : '<strong>失敗 / failed</strong>'}${e.verified ? '' : '<div class="en">unverified message</div>'}`,
    esc(e.patientIdentifier),
    `${esc(e.reportedBy === 'self' ? 'HIE' : e.reportedBy)}${senderNote(e)}`,
  ];
  const classes = ['time', '', 'who', '', '', '', '', 'id', ''];
  return `<tr class="${e.emergency ? 'emergency' : ''}${e.success ? '' : ' failed'}">
${cells.map((c, i) => `<td data-label="${esc(HEADERS[i])}"${classes[i] ? ` class="${classes[i]}"` : ''}>${c}</td>`).join('\n')}
</tr>`;
}

export function accessReportHtml(r: AccessReport): string {
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>アクセス記録 / Patient access report</title>
${fontStylesheets('../../fonts/noto-sans-jp/')}
<style>
  body { font-family: ${FONT_FAMILY}; margin: 2em; color: #111; line-height: 1.5; }
  h1 { font-size: 1.4em; margin-bottom: 0.2em; }
  .meta, .en, .addr { color: #555; font-size: 0.85em; }
  table { border-collapse: collapse; width: 100%; margin-top: 1em; font-size: 0.9em; }
  th, td { border: 1px solid #999; padding: 0.3em 0.5em; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
  thead th { background: #eee; }
  tr.emergency td { background: #fff0f0; }
  tr.emergency td:first-child { border-left: 4px solid #c00; }
  .flag { color: #c00; }
  .time, .id { font-variant-numeric: tabular-nums; }
  .summary li { margin: 0.2em 0; }
  /* A phone: each access a card of labelled lines, nothing wider than the screen. */
  @media screen and (max-width: 720px) {
    body { margin: 0.75em; }
    h1 { font-size: 1.2em; }
    table, tbody, tr, td { display: block; width: auto; }
    thead { display: none; }
    tr { border: 1px solid #999; border-radius: 6px; margin: 0 0 0.8em; padding: 0.2em 0; }
    tr.emergency { border-left: 6px solid #c00; }
    tr.emergency td:first-child { border-left: none; }
    td { border: none; padding: 0.15em 0.6em; }
    td::before { content: attr(data-label); display: block; color: #555; font-size: 0.8em; }
  }
  @page { size: A4 landscape; margin: 12mm; }
  @media print {
    body { margin: 0; font-size: 9pt; }
    thead { display: table-header-group; }
    tr { page-break-inside: avoid; }
    tr.emergency td { background: none; }
    .noprint { display: none; }
  }
</style>
</head>
<body>
<h1>アクセス記録 / Patient access report</h1>
<div class="meta">作成日時 / Generated: ${esc(shownTime(r.generatedAt, r.timeZone))} ${esc(r.timeZone)}</div>
<div class="meta">患者ID / Patient identifiers: ${r.patient.identifiers.map(esc).join(', ')}</div>
<ul class="summary">
  <li>記録件数 / Events: ${r.summary.total}${r.truncated ? ' (一部のみ表示 / only the most recent are listed)' : ''}</li>
  <li>施設 / Facilities: ${r.summary.facilityNames.map(esc).join(', ') || '—'}</li>
  <li>緊急アクセス / Emergency access: ${r.summary.emergency}</li>
</ul>
<p class="noprint"><button onclick="window.print()">印刷 / Print</button></p>
<table>
<thead><tr>
<th>日時 (${esc(r.timeZone)})<div class="en">When</div></th>
<th>施設<div class="en">Facility</div></th>
<th>利用者<div class="en">User</div></th>
<th>内容<div class="en">What</div></th>
<th>取引<div class="en">Transaction</div></th>
<th>目的<div class="en">Purpose</div></th>
<th>結果<div class="en">Outcome</div></th>
<th>患者ID<div class="en">Identifier</div></th>
<th>記録元<div class="en">Reported by</div></th>
</tr></thead>
<tbody>
${r.entries.map((e) => row(e, r.timeZone)).join('\n') || '<tr><td colspan="9">記録はありません / No access recorded</td></tr>'}
</tbody>
</table>
</body>
</html>
`;
}

/** The report as plain text, one access per line (hie audit patient --format text). */
export function accessReportText(r: AccessReport): string {
  const lines = [
    `Patient access report, generated ${shownTime(r.generatedAt, r.timeZone)} (times in ${r.timeZone})`,
    `Patient identifiers: ${r.patient.identifiers.join(', ')}`,
    `Events: ${r.summary.total}${r.truncated ? ' (truncated)' : ''}; facilities: ${r.summary.facilities.join(', ') || '-'}; emergency access: ${r.summary.emergency}`,
    '',
  ];
  for (const e of r.entries) {
    const purpose = e.purposeOfUse.map((p) => p.code).join(',');
    lines.push(
      [
        shownTime(e.time, r.timeZone),
        e.emergency ? 'EMERGENCY' : '',
        e.kind,
        e.transaction?.code ?? e.event.name,
        `facility=${e.facility || '-'}`,
        `user=${e.users.join(';') || '-'}`,
        e.addresses.length ? `from=${e.addresses.join(',')}` : '',
        purpose ? `purpose=${purpose}` : '',
        e.success ? 'ok' : 'FAILED',
        `id=${e.patientIdentifier}`,
        `by=${e.reportedBy}`,
        e.receivedFrom ? `from-node=${e.receivedFrom}` : '',
        e.senderMark ?? '',
        e.verified ? '' : 'unverified',
      ]
        .filter(Boolean)
        .join('  '),
    );
  }
  return lines.join('\n') + '\n';
}
