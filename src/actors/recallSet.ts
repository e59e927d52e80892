// `recalling`: the set this host runs was rejected or aborted fleet-wide, so it goes back to the
// newest set it ran healthy before: every repo to that set's commits, and the system to the exact
// generation it ran them as (with `system.profile`; otherwise `rollbackSwitch`, or `switch` on the
// restored repos, as a rollback does). Everything that can be checked is checked before anything
// moves; an error after that carries `moved`, since the host is then between two sets.
import { lstat } from 'node:fs/promises';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Recall } from '../machine/types.js';
import { gitAt } from './git.js';
import { resetRepos } from './resetRepos.js';
import { rollbackSystem } from './rollbackSystem.js';
import type { CommandDeps } from './runCommand.js';
import { generationLink } from './systemProfile.js';

/** Refused before anything moved: the host stays where it is. */
export class RecallRefused extends Error {
  readonly next: string;
  constructor(message: string, next: string) {
    super(message);
    this.name = 'RecallRefused';
    this.next = next;
  }
}

export async function recallSet(
  config: Pick<ResolvedConfig, 'repos' | 'system' | 'rollbackSwitch' | 'switch'>,
  recall: Recall | undefined,
  deps: CommandDeps & { gitConcurrency?: number },
): Promise<void> {
  if (!recall) throw new Error('there is no recall to carry out');
  const { to } = recall;
  const stay = `this host stays on set ${recall.from.set}; \`xs-upgrade fleet forgive ${recall.from.set}\` if it is good after all, or push a fix`;
  for (const repo of config.repos) {
    const commit = to.commits[repo.name];
    const found =
      commit !== undefined &&
      (await gitAt(repo.path, deps)
        .raw(['cat-file', '-e', `${commit}^{commit}`])
        .then(
          () => true,
          () => false,
        ));
    if (!found) {
      throw new RecallRefused(
        `cannot go back to set ${to.set}: repo "${repo.name}" has no commit ${commit ?? '(none on record)'}`,
        stay,
      );
    }
  }
  if (config.system && !config.rollbackSwitch) {
    const system = to.system;
    const exists =
      system !== undefined &&
      (await lstat(generationLink(system.profile, system.generation)).then(
        () => true,
        () => false,
      ));
    if (!system || !exists) {
      throw new RecallRefused(
        system
          ? `cannot go back to set ${to.set}: generation ${system.generation} of ${system.profile} no longer exists (garbage-collected?)`
          : `cannot go back to set ${to.set}: no system generation is on record for it`,
        stay,
      );
    }
  }
  const savedCommits = config.repos.map((repo) => ({
    repo: repo.name,
    branch: repo.branch,
    commit: to.commits[repo.name] ?? '',
  }));
  try {
    await resetRepos(config.repos, savedCommits, deps);
    await rollbackSystem(config, to.system, deps);
  } catch (error) {
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), {
      moved: true,
    });
  }
}
