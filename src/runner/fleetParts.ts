// This host in its fleet: its slot, and with etcd its part in the rollout. Opened once per run,
// when first needed, and closed when the run is over.
import type { HostRollout } from '../fleet/hostRollout.js';
import type { HostSlot } from '../fleet/hostSlot.js';
import type { UpgradeHostOptions } from './hostOptions.js';

export interface FleetParts {
  slot: HostSlot;
  rollout?: HostRollout;
}

/** With `fleet`: checked before anything moves (a bad id or secret: exit 78). */
export async function prepareFleet(options: UpgradeHostOptions): Promise<FleetParts | undefined> {
  const { fleet, stateDir } = options.config;
  if (!fleet) return undefined;
  const deps = { env: options.env, log: options.log, stateDir };
  const { HostSlot } = await import('../fleet/hostSlot.js');
  const slot = await HostSlot.prepare(fleet, deps);
  if (!('etcd' in fleet.backend)) return { slot };
  const { HostRollout } = await import('../fleet/hostRollout.js');
  const { config } = options;
  // Remote mode has no repos here: nothing to go back to.
  const recall =
    config.mode === 'local' && config.repos.length > 0
      ? {
          repos: config.repos.map((repo) => repo.name),
          needsGeneration: config.system !== undefined && config.rollbackSwitch === undefined,
        }
      : undefined;
  return {
    slot,
    rollout: new HostRollout(fleet, slot.id, { ...deps, ...(recall ? { recall } : {}) }),
  };
}

/** The fleet parts of one run: `open` prepares them at its first call, `close` lets them go. */
export function fleetOfRun(options: UpgradeHostOptions): {
  open: () => Promise<FleetParts | undefined>;
  close: () => Promise<void>;
} {
  let parts: Promise<FleetParts | undefined> | undefined;
  return {
    open: () => (parts ??= prepareFleet(options)),
    close: async () => {
      const opened = await parts?.catch(() => undefined);
      await opened?.slot.close();
      await opened?.rollout?.close();
    },
  };
}
