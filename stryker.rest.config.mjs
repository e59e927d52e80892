// `npm run mutate:rest`: everything `npm run mutate` covers except the machine (src/actors,
// src/config, src/fleet, src/runner), against the unit project. Static mutants are left out
// ("ignored"): they change code run when a module loads (tables, patterns), so each would run the
// whole unit project, ~40 s, and there are hundreds. The machine, where nearly every mutant is
// static, has its own run that keeps them (stryker.machine.config.mjs).
// XS_MUTATE_FOLDERS=config,actors mutates only those folders, into a report of their own
// (reports/mutation/rest-config-actors.json): a long run in parts, each part kept when done. A part
// may be one file, without .ts (`runner/bootCheck`: reports/mutation/rest-runner_bootCheck.json),
// to measure again what new tests were written for.
import { existsSync } from 'node:fs';
import base from './stryker.config.mjs';

const allFolders = ['actors', 'config', 'fleet', 'runner'];
const chosen = process.env.XS_MUTATE_FOLDERS?.split(',').filter(Boolean) ?? [];
const patternOf = (part) => {
  if (allFolders.includes(part)) return `src/${part}/**/*.ts`;
  const [folder, file, ...rest] = part.split('/');
  if (
    allFolders.includes(folder ?? '') &&
    file &&
    rest.length === 0 &&
    existsSync(`src/${part}.ts`)
  )
    return `src/${part}.ts`;
  throw new Error(
    `XS_MUTATE_FOLDERS: "${part}" is not one of ${allFolders.join(', ')}, nor a file in one (e.g. config/resolve)`,
  );
};
const patterns = (chosen.length > 0 ? chosen : allFolders).map(patternOf);
const part = chosen.length > 0 ? `-${chosen.join('-').replaceAll('/', '_')}` : '';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [...patterns, '!src/**/*.generated.*'],
  // Not only the test files that import a mutated file: the runner loads the fleet's modules, the
  // boot check and the inspection with import() when a run needs them, which vitest's "related"
  // filter does not follow, so the in-process runs that go through them were never run against
  // their mutants (all "no coverage"). Coverage per test still picks what runs for each mutant.
  vitest: { ...base.vitest, related: false },
  ignoreStatic: true,
  timeoutMS: 10_000,
  // The first, whole run of the unit project (~4 min alone) passes Stryker's 5-minute limit on a
  // 2-core machine running other parts beside it.
  dryRunTimeoutMinutes: 20,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/rest${part}.json` },
  // A second run of the same part reuses each result whose mutant and covering tests are unchanged
  // (Stryker's incremental mode): after new tests, only what they touch runs again.
  incremental: true,
  incrementalFile: `reports/mutation/incremental-rest${part}.json`,
};
