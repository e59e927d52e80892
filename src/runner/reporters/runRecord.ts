// The run's own record, finished: what it ended as, and the host as measured at the end. Written
// by the run it describes and never by a later one; the oldest beyond `keepRuns` are pruned.
import { pruneRunRecords } from '../../state/runRecords.js';
import { repoCommits } from '../outcome.js';
import type { Reporter } from './reporter.js';

export const runRecord: Reporter = {
  what: 'finish the run record',
  async report(outcome, { options, recorder }) {
    if (!recorder) return;
    const record = recorder.record;
    const { config } = options;
    record.running = false;
    record.endedAt = outcome.endedAt;
    outcome.states.forEach((visit, index) => {
      const entry = record.states[index];
      if (entry && entry.ms === undefined) entry.ms = visit.ms;
    });
    record.result = outcome.result;
    record.exitCode = outcome.exitCode;
    // A killed run was stopped by its recovery, not by a signal to it: killed, not interrupted.
    record.interrupted = outcome.interrupted && !outcome.killed;
    record.summary = outcome.summary.lines[0] ?? '';
    record.repos = repoCommits(outcome, config.repos);
    const saved = outcome.saved?.system;
    const final = outcome.final.system;
    if (saved || final)
      record.system = { ...(saved ? { saved } : {}), ...(final ? { final } : {}) };
    if (outcome.failure) record.failure = outcome.failure;
    if (outcome.validationFailure) record.validationFailure = outcome.validationFailure;
    if (outcome.rollbackFailure) record.rollbackFailure = outcome.rollbackFailure;
    if (outcome.heldBack) record.heldBack = outcome.heldBack;
    if (outcome.reboot) record.reboot = outcome.reboot;
    if (outcome.skipReason) record.skipReason = outcome.skipReason;
    await recorder.finish();
    await pruneRunRecords(config.stateDir, config.keepRuns).catch(() => undefined);
  },
};
