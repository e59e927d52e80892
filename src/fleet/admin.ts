// What an operator does to the fleet's slots: look at them, free one a host holds (after looking
// at that host), and size a group. Over FleetLock only release exists: its protocol has no more.
import { ExitCode, XsUpgradeError } from '../errors.js';
import type { ResolvedFleet } from '../config/resolve.js';
import type { Coordinator } from './coordinator.js';
import { openCoordinator } from './openCoordinator.js';
import type { Semaphore } from './semaphore.js';
import type { HostReport, SetRecord } from './rollout.js';

async function withCoordinator<T>(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  use: (coordinator: Coordinator) => Promise<T>,
): Promise<T> {
  const coordinator = await openCoordinator(fleet, env);
  try {
    return await use(coordinator);
  } finally {
    await coordinator.close();
  }
}

function etcdOnly(what: string, where: string): never {
  throw new XsUpgradeError(
    `fleet ${what} needs fleet.etcd: ${where} speaks the FleetLock protocol, which has no such call; ask the server itself (airlock: its /metrics and its config)`,
    ExitCode.usage,
  );
}

/** Everything the fleet's store knows: slots per group, each host's last run, the commit sets. */
export interface FleetView {
  groups: Semaphore[];
  hosts: HostReport[];
  sets: SetRecord[];
}

export function fleetStatus(fleet: ResolvedFleet, env: NodeJS.ProcessEnv): Promise<FleetView> {
  return withCoordinator(fleet, env, async (coordinator) => {
    if (!coordinator.status || !('etcd' in fleet.backend))
      return etcdOnly('status', coordinator.where);
    const groups = await coordinator.status();
    const { openRolloutStore } = await import('./rolloutStore.js');
    const store = await openRolloutStore(fleet.backend.etcd, env);
    const [hosts, sets] = await Promise.all([store.hosts(), store.sets()]).finally(() =>
      store.close(),
    );
    // Every group a host reports in, and this host's own, even before anyone took a slot there.
    const { emptySemaphore } = await import('./semaphore.js');
    for (const group of new Set([fleet.group, ...hosts.map((host) => host.group)])) {
      if (!groups.some((entry) => entry.group === group)) groups.push(emptySemaphore(group));
    }
    groups.sort((a, b) => a.group.localeCompare(b.group));
    sets.sort((a, b) => latest(b).localeCompare(latest(a)));
    return { groups, hosts, sets };
  });
}

/** When anything last happened to a set: newest sets first. */
function latest(set: SetRecord): string {
  return (
    [...set.proven.map((p) => p.until ?? p.since), ...set.rejected.map((r) => r.at)]
      .sort()
      .at(-1) ?? ''
  );
}

/** Lifts a set's fleet-wide quarantine: every host may try it again. */
export function forgiveSet(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  id: string,
): Promise<{ set: SetRecord; forgiven: boolean } | undefined> {
  if (!('etcd' in fleet.backend)) return etcdOnly('forgive', 'FleetLock');
  const { etcd } = fleet.backend;
  return import('./rolloutStore.js').then(async ({ openRolloutStore }) => {
    const store = await openRolloutStore(etcd, env);
    try {
      return await store.forgive(id);
    } finally {
      await store.close();
    }
  });
}

export function releaseFleetSlot(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  id: string,
  group: string,
): Promise<boolean> {
  return withCoordinator(fleet, env, (coordinator) => coordinator.release(id, group));
}

export function setFleetSlots(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  group: string,
  slots: number,
): Promise<Semaphore> {
  return withCoordinator(fleet, env, async (coordinator) => {
    if (!coordinator.setSlots) return etcdOnly('set-slots', coordinator.where);
    return coordinator.setSlots(group, slots);
  });
}
