// The backends' factory: each is loaded only when the config names it, so a plain run pays for
// neither. Apart from coordinator.ts (the interface), which the backends import themselves.
import type { ResolvedFleet } from '../config/resolve.js';
import type { Coordinator } from './coordinator.js';

export async function openCoordinator(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
): Promise<Coordinator> {
  if ('etcd' in fleet.backend) {
    const { openEtcd } = await import('./etcd.js');
    return openEtcd(fleet.backend.etcd, env);
  }
  const { openFleetLock } = await import('./fleetLock.js');
  return openFleetLock(fleet.backend.fleetLock);
}
