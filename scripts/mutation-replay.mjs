// `npm run mutate:replay -- REPORT FILE LINES -- TEST...`: applies each surviving or uncovered
// mutant of FILE on LINES ("12,40-60") from a Stryker JSON report to the source, runs vitest's unit
// project on the given test files (and any vitest arguments, such as -t), and puts the file back.
// A mutant the tests fail on is killed by the suite too, so this measures what new tests kill
// without rerunning every covering test, which for the runner's whole-run files takes over an
// hour (docs/testing.md). It refuses a source changed since the report, and tests that fail
// without a mutant.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const [report, file, lineSpec, separator, ...tests] = process.argv.slice(2);
if (!report || !file || !lineSpec || separator !== '--' || tests.length === 0) {
  console.error('usage: npm run mutate:replay -- REPORT FILE LINES -- TEST_FILE... [-t NAME]');
  process.exit(64);
}
const ranges = lineSpec.split(',').map((range) => {
  const [from, to = from] = range.split('-').map(Number);
  return [from, to];
});
const { files } = JSON.parse(readFileSync(report, 'utf8'));
const original = readFileSync(file, 'utf8');
if (files[file]?.source !== original) {
  console.error(`${file} is not what ${report} mutated: run Stryker again, then replay`);
  process.exit(65);
}
// Stryker's locations are 1-based lines and columns.
const lineStarts = [0];
for (let index = 0; index < original.length; index += 1)
  if (original[index] === '\n') lineStarts.push(index + 1);
const offset = ({ line, column }) => lineStarts[line - 1] + column - 1;
const chosen = files[file].mutants.filter(
  (mutant) =>
    (mutant.status === 'Survived' || mutant.status === 'NoCoverage') &&
    ranges.some(
      ([from, to]) => mutant.location.start.line >= from && mutant.location.start.line <= to,
    ),
);
// Ctrl-C or a kill must not leave a mutant in the source (the tests run asynchronously, so the
// handler runs at once).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    writeFileSync(file, original);
    process.exit(130);
  });
const run = promisify(execFile);
const vitest = ['vitest', 'run', '--project', 'unit', ...tests];
const runOptions = { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 };
// As Stryker's dry run: tests that fail (or find no test file) without a mutant would count every
// mutant as killed.
try {
  await run('npx', vitest, runOptions);
} catch {
  console.error(`the tests fail without any mutant: fix them first (npx ${vitest.join(' ')})`);
  process.exit(1);
}
let killed = 0;
try {
  for (const mutant of chosen) {
    const { start, end } = mutant.location;
    writeFileSync(
      file,
      original.slice(0, offset(start)) + mutant.replacement + original.slice(offset(end)),
    );
    let survives = true;
    try {
      await run('npx', vitest, runOptions);
    } catch {
      survives = false;
      killed += 1;
    }
    const replacement = mutant.replacement.replace(/\s+/g, ' ').slice(0, 60);
    console.log(
      `${survives ? 'survives' : 'killed  '} ${mutant.status} line ${start.line}: ${mutant.mutatorName} => ${replacement}`,
    );
  }
} finally {
  writeFileSync(file, original);
}
console.log(`${killed} of ${chosen.length} killed`);
