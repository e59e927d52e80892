// One rule for TimeoutStopSec, for the unit `xs-upgrade systemd` writes and for the NixOS module:
// the Nix version (nix/stopTimeout.nix, evaluated by the real nix-instantiate) gives the same
// seconds as the CLI's for random switch and rollbackSwitch timeouts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stopTimeoutSeconds } from '../../src/cli/systemdUnits.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { validateConfig } from '../../src/config/validate.js';
import { evalNixJson } from '../support/nix.js';

const units = ['ms', 's', 'sec', 'm', 'min', 'minutes', 'h', 'hours', 'd'];
const duration = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 90 }), fc.constantFrom(...units)), {
    minLength: 1,
    maxLength: 3,
  })
  .map((parts) => parts.map(([count, unit]) => `${count}${unit}`).join(' '));
const command = fc.oneof(
  fc.constant('nh os switch'),
  duration.map((timeout) => ({ run: 'nh os switch', timeout })),
);

describe('TimeoutStopSec', () => {
  it('is the same from nix/stopTimeout.nix as from xs-upgrade systemd', async () => {
    const samples = fc.sample(
      fc.record({ switch: command, rollbackSwitch: fc.option(command, { nil: undefined }) }),
      { numRuns: 40, seed: 14 },
    );
    const documents = samples.map((sample) => ({
      mode: 'remote',
      buildBeforeSwitch: false,
      switch: sample.switch,
      ...(sample.rollbackSwitch === undefined ? {} : { rollbackSwitch: sample.rollbackSwitch }),
    }));
    // All samples in one evaluation: one nix-instantiate, a list of seconds.
    const fromNix = (await evalNixJson(
      `map (import ./nix/stopTimeout.nix) (builtins.fromJSON ''${JSON.stringify(documents)}'')`,
    )) as number[];
    const fromCli = documents.map((document) => {
      const { config, errors } = validateConfig(document);
      expect(errors).toEqual([]);
      if (!config) throw new Error('invalid sample');
      return stopTimeoutSeconds(resolveConfig(config, '/etc/xs-upgrade/host.json', '/etc'));
    });
    expect(fromNix).toEqual(fromCli);
    expect(new Set(fromCli).size).toBeGreaterThan(10);
  });
});
