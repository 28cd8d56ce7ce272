// The same rows as a Markdown table, for the README.
import { rowCells } from './table.mjs';

export function printMarkdown(rows, machine, out = console.log) {
  out(
    `Measured ${machine.date.slice(0, 10)} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.mode} mode.`,
  );
  out('');
  out('| row | subject | baseline | ratio median [min-max] | goal | |');
  out('|---|---|---|---|---|---|');
  for (const row of rows)
    out(
      `| ${rowCells(row)
        .map((c) => c.replaceAll('|', '\\|'))
        .join(' | ')} |`,
    );
}
