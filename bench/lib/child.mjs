// Runs one suite in its own process (so one suite's heap, JIT state and open connections never
// colour another's numbers) and writes its rows as JSON to the file the runner names.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createBench } from './bench.mjs';

const [suitePath, outFile, quickFlag] = process.argv.slice(2);
const suite = (await import(pathToFileURL(suitePath).href)).default;
const bench = createBench({ quick: quickFlag === 'quick', suite: suite.id });
try {
  await suite.run(bench);
} finally {
  writeFileSync(outFile, JSON.stringify(bench.rows));
}
// Suites close what they open; this only ends a stray keep-alive timer of a peer library.
process.exit(0);
