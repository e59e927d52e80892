// Prints the mutation score of one or more Stryker JSON reports together, by folder and overall
// (`npm run mutate` runs the machine and the rest as two runs: docs/testing.md says why).
// Score as Stryker counts it: killed and timed-out mutants over all valid ones (survivors and
// mutants no test covers included; compile errors and ignored mutants left out).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Without arguments: the machine's report and every report of the rest (whole or in parts).
const folder = join('reports', 'mutation');
const reports =
  process.argv.length > 2
    ? process.argv.slice(2)
    : [
        join(folder, 'machine.json'),
        ...readdirSync(folder)
          .filter((name) => /^rest(-[a-zA-Z_-]+)?\.json$/.test(name))
          .map((name) => join(folder, name)),
      ];

const detected = new Set(['Killed', 'Timeout']);
/** folder -> counts */
const folders = new Map();
/** A file measured by two reports (the rest whole, and in parts) counts once: the newest. */
const seen = new Set();
const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
};
reports.sort((a, b) => mtime(b) - mtime(a));
for (const report of reports) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8'));
  } catch (error) {
    console.error(
      `mutation-score: cannot read ${report} (${error.message}): run the mutation run first`,
    );
    process.exit(66);
  }
  for (const [file, { mutants }] of Object.entries(parsed.files)) {
    if (seen.has(file)) continue;
    seen.add(file);
    const folder = file.split('/').slice(0, 2).join('/');
    const counts = folders.get(folder) ?? { detected: 0, survived: 0, noCoverage: 0, ignored: 0 };
    for (const { status } of mutants) {
      if (detected.has(status)) counts.detected += 1;
      else if (status === 'Survived') counts.survived += 1;
      else if (status === 'NoCoverage') counts.noCoverage += 1;
      else if (status === 'Ignored') counts.ignored += 1;
    }
    folders.set(folder, counts);
  }
}

const score = ({ detected: found, survived, noCoverage }) => {
  const valid = found + survived + noCoverage;
  return valid === 0 ? 'n/a' : `${((100 * found) / valid).toFixed(2)} %`;
};
const total = { detected: 0, survived: 0, noCoverage: 0, ignored: 0 };
const rows = [...folders.entries()].sort(([a], [b]) => a.localeCompare(b));
console.log('| folder | score | killed | survived | no test covers | ignored (static) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [folder, counts] of rows) {
  for (const key of Object.keys(total)) total[key] += counts[key];
  console.log(
    `| ${folder} | ${score(counts)} | ${counts.detected} | ${counts.survived} | ${counts.noCoverage} | ${counts.ignored} |`,
  );
}
console.log(
  `| **all** | **${score(total)}** | ${total.detected} | ${total.survived} | ${total.noCoverage} | ${total.ignored} |`,
);
