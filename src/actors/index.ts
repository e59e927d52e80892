// Wires each actor name the machine invokes to the side effect that does it, for one host's config.
// The runner hands the result to `upgradeMachine.provide({ actors })`.
import { fromPromise } from 'xstate';
import type { ResolvedConfig } from '../config/resolve.js';
import type {
  BootFacts,
  ConditionFacts,
  Failure,
  PullOutcome,
  ClosureChoice,
  PulledRepo,
  Recall,
  SavedCommit,
  SavedGeneration,
  Snapshot,
} from '../machine/types.js';
import type { Log } from '../log.js';
import type { RejectedCommitSet } from '../state/rejectedCommits.js';
import type { PullGate } from '../fleet/rolloutGate.js';
import { notifyValidationFailure } from './notifyValidationFailure.js';
import { pullRepos } from './pullRepos.js';
import { resetRepos } from './resetRepos.js';
import {
  CommandFailedError,
  runCommand,
  runCommandsConcurrently,
  runCommandsInOrder,
  type CommandDeps,
} from './runCommand.js';
import { installForBoot } from './installForBoot.js';
import { inhibitorsOf, SwitchInhibited } from './switchInhibitors.js';
import { runHealthChecks } from './runHealthChecks.js';
import { snapshotRepos } from './snapshotRepos.js';
import { rollbackSystem } from './rollbackSystem.js';
import { recallSet } from './recallSet.js';
import { inspectBoot } from './inspectBoot.js';
import { checkConditions } from './checkConditions.js';
import { requestReboot } from './requestReboot.js';
import { chooseClosure, type FleetWord } from '../closure/choose.js';
import { fetchClosure, fetchedClosureRoot } from '../closure/binaryCache.js';
import { switchToClosure } from '../closure/switchToClosure.js';
import { hostname } from 'node:os';

export interface ActorDeps {
  log: Log;
  env: NodeJS.ProcessEnv;
  killGraceMs?: number;
  /** --force: also pull a commit set an earlier run rolled back. */
  force?: boolean;
  /** --skip-validation: say so loudly and run no check. */
  skipValidation?: boolean;
  /** Awaited before each step starts: the run's state is persisted by then. */
  beforeStep?: () => Promise<void>;
  /** Commit sets that failed before: the pull skips them unless `force`. */
  rejected?: RejectedCommitSet[];
  /** Hears of every step command's process group (see state/stepProcesses.ts). */
  processes?: CommandDeps['processes'];
  /** The run's record id: a reboot's boot check names the run that asked for it. */
  runId?: string;
  /** With `fleet.etcd`: what the fleet lets the pull take (src/fleet/rolloutGate.ts). */
  pullGate?: PullGate;
  /** With `fleet`: waits for this host's slot (src/fleet/hostSlot.ts). */
  takeSlot?: (pulled: PulledRepo[], signal: AbortSignal) => Promise<void>;
}

/**
 * xstate starts an invoked actor before observers see the state that invoked it; waiting one turn
 * of the event loop lets the log say "state building" before the build prints anything.
 */
const afterStateIsLogged = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createUpgradeActors(config: ResolvedConfig, deps: ActorDeps) {
  const withSignal = (signal: AbortSignal) => ({
    ...deps,
    signal,
    gitConcurrency: config.gitConcurrency,
  });
  const step = <Output, Input>(
    run: (args: { input: Input; signal: AbortSignal }) => Promise<Output>,
  ) =>
    fromPromise<Output, Input>(async (args) => {
      await afterStateIsLogged();
      // The state is on disk before its step changes anything, so a crash recovers from it.
      await deps.beforeStep?.();
      // Stopped while waiting its turn (an interrupted or restored run): do nothing at all.
      if (args.signal.aborted) throw new Error('stopped before it started');
      return run(args);
    });
  const closure = config.system?.closure;
  const conditions = step<ConditionFacts, void>(({ signal }) =>
    checkConditions(config, withSignal(signal)),
  );
  return {
    checkConditions: conditions,
    recheckConditions: conditions,
    runHooks: step<void, void>(({ signal }) =>
      runCommandsInOrder(config.preUpdateHooks, withSignal(signal)),
    ),
    snapshotRepos: step<Snapshot, void>(({ signal }) =>
      snapshotRepos(config.repos, config.stateDir, {
        ...withSignal(signal),
        configFile: config.file,
        ...(config.system ? { systemProfile: config.system.profile } : {}),
      }),
    ),
    pullRepos: step<PullOutcome, { savedCommits: SavedCommit[] }>(({ input, signal }) =>
      pullRepos(config.repos, input.savedCommits, {
        ...withSignal(signal),
        fetchTimeoutMs: config.fetchTimeoutMs,
        fetchRetries: config.fetchRetries,
        ...(deps.pullGate ? { gate: deps.pullGate } : {}),
        ...(closure
          ? {
              closure: (commits: Record<string, string>, fleet: FleetWord) =>
                chooseClosure(closure, commits, { ...withSignal(signal), host: hostname() }, fleet),
            }
          : {}),
      }),
    ),
    runBuild: step<void, void>(({ signal }) =>
      config.build ? runCommand(config.build, withSignal(signal)) : Promise.resolve(),
    ),
    runChecks: step<void, void>(({ signal }) => {
      if (deps.skipValidation) {
        deps.log.warn('VALIDATION SKIPPED (--skip-validation): no check was run before the switch');
        return Promise.resolve();
      }
      return runCommandsConcurrently(
        config.validationChecks,
        config.validationConcurrency,
        withSignal(signal),
      );
    }),
    notifyValidationFailure: step<void, { failure: Failure | undefined; pulled: PulledRepo[] }>(
      ({ input, signal }) =>
        notifyValidationFailure(input, config.notify, {
          ...withSignal(signal),
          configFile: config.file,
        }),
    ),
    takeSlot: step<void, { pulled: PulledRepo[]; recall?: Recall | undefined }>(
      ({ input, signal }) => {
        // A recall claims its slot for the set it goes back to (and that set is what the fleet's
        // quarantine is read again for, once the slot is taken).
        const recall = input.recall;
        const pulled = recall
          ? input.pulled.map((repo) => ({ ...repo, to: recall.to.commits[repo.repo] ?? repo.to }))
          : input.pulled;
        return deps.takeSlot
          ? deps.takeSlot(pulled, signal)
          : Promise.reject(new Error('fleet slots are not configured'));
      },
    ),
    fetchClosure: step<void, { closure: ClosureChoice | undefined }>(({ input, signal }) =>
      closure && input.closure
        ? fetchClosure(
            input.closure.storePath,
            closure,
            withSignal(signal),
            fetchedClosureRoot(config.stateDir),
          )
        : Promise.reject(new Error('there is no closure to fetch (system.closure)')),
    ),
    runSwitch: step<void, { closure: string | undefined }>(async ({ input, signal }) => {
      try {
        // A closure CI built is switched to as it is; without one, the configured switch builds.
        await (input.closure
          ? switchToClosure(config, input.closure, withSignal(signal))
          : runCommand(config.switch, withSignal(signal)));
      } catch (error) {
        if (!(error instanceof CommandFailedError)) throw error;
        const by = inhibitorsOf(error.outputTail);
        if (!by) throw error;
        throw new SwitchInhibited(
          error,
          by,
          config.inhibited === 'boot' && config.system !== undefined,
        );
      }
    }),
    installForBoot: step<SavedGeneration, { savedSystem: SavedGeneration | undefined }>(
      ({ input, signal }) => installForBoot(config, input.savedSystem, withSignal(signal)),
    ),
    runHealthChecks: step<void, void>(({ signal }) =>
      runHealthChecks(config.healthChecks, withSignal(signal)),
    ),
    resetRepos: step<void, { savedCommits: SavedCommit[] }>(({ input, signal }) =>
      resetRepos(config.repos, input.savedCommits, withSignal(signal)),
    ),
    inspectBoot: step<BootFacts, void>(() =>
      config.system
        ? inspectBoot(config.reboot, config.system.profile)
        : Promise.reject(new Error('reboot needs "system.profile"')),
    ),
    requestReboot: step<
      void,
      { savedSystem: SavedGeneration | undefined; savedCommits: SavedCommit[] }
    >(({ input, signal }) =>
      requestReboot(config, input, { ...withSignal(signal), runId: deps.runId ?? 'unknown' }),
    ),
    rollbackSystem: step<void, { savedSystem: SavedGeneration | undefined }>(({ input, signal }) =>
      rollbackSystem(config, input.savedSystem, withSignal(signal)),
    ),
    recall: step<void, { recall: Recall | undefined }>(({ input, signal }) =>
      recallSet(config, input.recall, withSignal(signal)),
    ),
  };
}
