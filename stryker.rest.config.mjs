// `npm run mutate:rest`: everything `npm run mutate` covers except the machine (src/actors,
// src/config, src/fleet, src/runner), against the unit project. Static mutants are left out
// ("ignored"): they change code run when a module loads (tables, patterns), so each would run the
// whole unit project, ~40 s, and there are hundreds. The machine, where nearly every mutant is
// static, has its own run that keeps them (stryker.machine.config.mjs).
// XS_MUTATE_FOLDERS=config,actors mutates only those folders, into a report of their own
// (reports/mutation/rest-config-actors.json): a long run in parts, each part kept when done.
import base from './stryker.config.mjs';

const allFolders = ['actors', 'config', 'fleet', 'runner'];
const chosen = process.env.XS_MUTATE_FOLDERS?.split(',').filter(Boolean) ?? [];
for (const folder of chosen) {
  if (!allFolders.includes(folder))
    throw new Error(`XS_MUTATE_FOLDERS: "${folder}" is not one of ${allFolders.join(', ')}`);
}
const folders = chosen.length > 0 ? chosen : allFolders;
const part = chosen.length > 0 ? `-${chosen.join('-')}` : '';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [...folders.map((folder) => `src/${folder}/**/*.ts`), '!src/**/*.generated.*'],
  ignoreStatic: true,
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/rest${part}.json` },
  // A second run of the same part reuses each result whose mutant and covering tests are unchanged
  // (Stryker's incremental mode): after new tests, only what they touch runs again.
  incremental: true,
  incrementalFile: `reports/mutation/incremental-rest${part}.json`,
};
