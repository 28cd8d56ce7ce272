// The printed table: one line per row, ratios as "median [min-max]".
import { describeGoal } from './bench.mjs';

function fmtRate(ops) {
  if (ops === undefined || ops === null) return '';
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)}M/s`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)}k/s`;
  return `${ops.toFixed(ops >= 100 ? 0 : 1)}/s`;
}

function fmtNum(x) {
  if (x === undefined || x === null) return '';
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2);
}

function fmtRatio(r) {
  if (!r) return '';
  if (r.min === r.max) return `${r.median.toFixed(2)}x`;
  return `${r.median.toFixed(2)}x [${r.min.toFixed(2)}-${r.max.toFixed(2)}]`;
}

function status(row) {
  if (row.kind === 'skipped') return `skipped: ${row.reason}`;
  if (row.kind === 'error') return `error: ${row.reason}`;
  if (row.met === true) return 'met';
  if (row.met === false) return 'missed';
  return '';
}

export function rowCells(row) {
  if (row.kind === 'ratio') {
    return [
      row.title,
      `${fmtRate(row.subjectOps)} ${row.subject}`,
      `${fmtRate(row.baselineOps)} ${row.baseline}`,
      fmtRatio(row.ratio),
      describeGoal(row.goal),
      status(row),
    ];
  }
  if (row.kind === 'value') {
    const unit = row.unit ? ` ${row.unit}` : '';
    return [
      row.title,
      `${fmtNum(row.value)}${unit}`,
      row.baselineValue === undefined ? '' : `${fmtNum(row.baselineValue)}${unit} ${row.baseline}`,
      fmtRatio(row.ratio),
      describeGoal(row.goal),
      status(row),
    ];
  }
  return [row.title, '', '', '', '', status(row)];
}

export function printTable(rows, out = console.log) {
  const header = ['row', 'subject', 'baseline', 'ratio median [min-max]', 'goal', ''];
  const cells = [header, ...rows.map(rowCells)];
  const widths = header.map((_, i) => Math.min(60, Math.max(...cells.map((c) => c[i].length))));
  for (const [n, c] of cells.entries()) {
    out(
      c
        .map((x, i) => x.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
    if (n === 0) out(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
