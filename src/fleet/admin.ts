// What an operator does to the fleet's slots: look at them, free one a host holds (after looking
// at that host), and size a group. Over FleetLock only release exists: its protocol has no more.
import { ExitCode, XsUpgradeError } from '../errors.js';
import type { ResolvedFleet } from '../config/resolve.js';
import { openCoordinator, type Coordinator } from './coordinator.js';
import type { Semaphore } from './semaphore.js';

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

export function fleetStatus(fleet: ResolvedFleet, env: NodeJS.ProcessEnv): Promise<Semaphore[]> {
  return withCoordinator(fleet, env, async (coordinator) => {
    if (!coordinator.status) return etcdOnly('status', coordinator.where);
    const groups = await coordinator.status();
    // This host's group is shown even before anyone used it: with the slots it would start with.
    if (!groups.some((group) => group.group === fleet.group)) {
      const { emptySemaphore } = await import('./semaphore.js');
      groups.push(emptySemaphore(fleet.group));
    }
    return groups.sort((a, b) => a.group.localeCompare(b.group));
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
