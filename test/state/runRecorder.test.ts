// The run recorder on a state dir it cannot write (a file where the folder should be: ENOTDIR):
// the pull and the switch must not start without their state on disk; other steps, and any
// rollback, go on.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunRecord, RunRecorder } from '../../src/state/runRecords.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xs-upgrade-recorder-'));
  await writeFile(join(dir, 'state'), 'a file, not a folder\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const recorder = () => {
  const warnings: string[] = [];
  const record = newRunRecord({
    config: '/etc/xs-upgrade/host.json',
    xsUpgradeVersion: '0.0.0',
    forced: false,
  });
  return {
    warnings,
    recorder: new RunRecorder(join(dir, 'state', 'sub'), record, (line) => warnings.push(line)),
  };
};

describe('RunRecorder on a state dir it cannot write', () => {
  it('refuses to let the pull start, naming the state dir', async () => {
    const { recorder: it, warnings } = recorder();
    it.stateEntered('snapshotting', new Date(), { snapshot: 1 });
    await expect(it.flushed()).resolves.toBeUndefined();
    it.stateEntered('pulling', new Date(), { snapshot: 2 });
    await expect(it.flushed()).rejects.toThrow(
      `cannot write the state dir ${join(dir, 'state', 'sub')}: a part of the path is not a folder`,
    );
    expect(warnings).toHaveLength(1);
  });

  it('lets every other step go on, rollbacks included, saying so once', async () => {
    const { recorder: it, warnings } = recorder();
    for (const state of ['building', 'validating', 'rollingBack.resettingRepos']) {
      it.stateEntered(state, new Date(), { snapshot: state });
      await expect(it.flushed()).resolves.toBeUndefined();
    }
    expect(warnings).toHaveLength(1);
  });
});

describe('RunRecorder before the switch', () => {
  it("refuses to let the switch start, as passing trouble (not the commits' fault)", async () => {
    const { recorder: it } = recorder();
    it.stateEntered('validating', new Date(), { snapshot: 1 });
    await expect(it.flushed()).resolves.toBeUndefined();
    it.stateEntered('switching', new Date(), { snapshot: 2 });
    const refused = await it.flushed().then(
      () => undefined,
      (error: unknown) => error as Error & { temporary?: boolean },
    );
    expect(refused?.message).toMatch(
      /^cannot write the state dir .*: a part of the path is not a folder/,
    );
    expect(refused?.temporary).toBe(true);
    it.stateEntered('rollingBack.resettingRepos', new Date(), { snapshot: 3 });
    await expect(it.flushed()).resolves.toBeUndefined();
  });

  it('refuses a pull without marking it passing (the machine reads that as a fetch failure)', async () => {
    const { recorder: it } = recorder();
    it.stateEntered('pulling', new Date(), { snapshot: 1 });
    const refused = await it.flushed().then(
      () => undefined,
      (error: unknown) => error as Error & { temporary?: boolean },
    );
    expect(refused?.temporary).toBeUndefined();
  });
});

describe('RunRecorder after the pull was refused', () => {
  it('lets the rollback that follows go on', async () => {
    const { recorder: it } = recorder();
    it.stateEntered('pulling', new Date(), { snapshot: 1 });
    await expect(it.flushed()).rejects.toThrow('cannot write the state dir');
    it.stateEntered('rollingBack.resettingRepos', new Date(), { snapshot: 2 });
    await expect(it.flushed()).resolves.toBeUndefined();
  });
});
