// A run that was killed (SIGKILL, power loss) left its machine snapshot behind. First stop the
// step it left running (a build goes on after its parent dies), then resume the snapshot and stop
// it at once: from `pulling` on it rolls back (the system too if the switch had started); before,
// it ends aborted; a finished machine needs nothing. The killed run's own record is finished: it
// is the same machine run, resumed, and its record says it was killed and recovered.
import { defaultKillGraceMs } from '../actors/runCommand.js';
import { createRedactor } from '../redact.js';
import { readUnfinishedRun, RunRecorder } from '../state/runRecords.js';
import { stopLeftoverSteps } from '../state/stepProcesses.js';
import { fleetOfRun, type FleetParts } from './fleetParts.js';
import { recordFor, type UpgradeHostOptions } from './hostOptions.js';
import { runMachine } from './machineRun.js';
import type { RunDraft } from './outcome.js';

/** Returns the recovered run's exit code, or undefined if there was nothing to recover. */
export async function recoverUnfinishedRun(
  options: UpgradeHostOptions,
  stop: AbortSignal,
  finish: (
    recorder: RunRecorder,
    draft: RunDraft,
    fleet: () => Promise<FleetParts | undefined>,
  ) => Promise<number>,
): Promise<number | undefined> {
  const { config, log } = options;
  const unfinished = await readUnfinishedRun(config.stateDir);
  if (!unfinished) return undefined;
  const { current, record: found } = unfinished;
  const lastSeen = current.enteredAt ?? found?.states.at(-1)?.enteredAt ?? 'an unknown time';
  log.warn(
    `found a run that was killed (pid ${current.pid}, in ${current.state} since ${lastSeen}): recovering it first`,
  );
  const stopped = await stopLeftoverSteps(
    config.stateDir,
    options.killGraceMs ?? defaultKillGraceMs,
  );
  for (const step of stopped) {
    log.warn(
      `stopped ${step.name} (process group ${step.pid}, started ${step.startedAt}), which the killed run left running`,
    );
  }
  const record = found ?? recordFor(options, 'run', false);
  record.recovered = true;
  record.killed = { state: current.state, lastSeen };
  const recorder = new RunRecorder(
    config.stateDir,
    record,
    (message) => log.warn(message),
    createRedactor(config.secrets),
  );
  // Its own fleet parts: the slot it may hold is settled before a new run asks for one.
  const fleet = fleetOfRun(options);
  try {
    const draft = await runMachine(
      { ...options, inspect: false },
      {
        recorder,
        stop,
        fleet: await fleet.open(),
        restore: {
          snapshot: current.snapshot,
          reason: `killed (SIGKILL, out of memory or power loss) in ${current.state}, last heard of at ${lastSeen}; finished by the recovery of ${new Date().toISOString()}`,
        },
      },
    );
    return await finish(recorder, draft, fleet.open);
  } finally {
    await fleet.close();
  }
}
