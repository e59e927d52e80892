// What an operator does to the fleet: look at it, free a slot a host holds (after looking at that
// host), size a group, forgive a set, enroll a host, prune old records. Over FleetLock only
// release exists: its protocol has no more. Everything but `status` writes keys no host's role
// may write (docs/fleet.md, "Roles"): run it with the operator's etcd user.
import { ExitCode, XsUpgradeError } from '../errors.js';
import type { ResolvedFleet } from '../config/resolve.js';
import type { Coordinator } from './coordinator.js';
import { openCoordinator } from './openCoordinator.js';
import type { Semaphore } from './semaphore.js';
import type { HostReport, SetRecord } from './rollout.js';
import { fleetKeys } from './store/keys.js';

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
  /** Records skipped as unreadable or not their host's, one line each. */
  warnings: string[];
}

export function fleetStatus(fleet: ResolvedFleet, env: NodeJS.ProcessEnv): Promise<FleetView> {
  return withCoordinator(fleet, env, async (coordinator) => {
    if (!coordinator.status || !('etcd' in fleet.backend))
      return etcdOnly('status', coordinator.where);
    const groups = await coordinator.status();
    const { openRolloutStore } = await import('./rolloutStore.js');
    const warnings: string[] = [];
    const store = await openRolloutStore(fleet.backend.etcd, env, {
      warn: (line) => warnings.push(line),
    });
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
    return { groups, hosts, sets, warnings };
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

/** What `fleet enroll` does, as etcdctl commands an operator can read or run themselves. */
export interface Enrolment {
  role: string;
  grants: { permission: 'Read' | 'Readwrite'; key: string; prefix: boolean }[];
  member: { key: string; value: string };
}

/** The role of host `id` in `group`: writes only its own keys, reads the rest of the prefix. */
export function enrolment(prefix: string, id: string, group: string): Enrolment {
  const keys = fleetKeys(prefix);
  return {
    role: `xs-upgrade-host-${id}`,
    grants: [
      { permission: 'Read', key: keys.prefix, prefix: true },
      { permission: 'Readwrite', key: keys.report(id), prefix: false },
      { permission: 'Readwrite', key: keys.hostProofs(id), prefix: true },
      { permission: 'Readwrite', key: keys.hostRejections(id), prefix: true },
      { permission: 'Readwrite', key: keys.claim(group, id), prefix: false },
    ],
    member: { key: keys.member(id), value: JSON.stringify({ group }) },
  };
}

/** The enrolment as etcdctl commands (the password is the operator's to choose). */
export function enrolmentCommands(enrol: Enrolment, id: string): string[] {
  const user = enrol.role;
  return [
    `etcdctl role add ${enrol.role}`,
    ...enrol.grants.map(
      (grant) =>
        `etcdctl role grant-permission ${enrol.role} ${grant.permission === 'Read' ? 'read' : 'readwrite'}${grant.prefix ? ' --prefix=true' : ''} ${grant.key}`,
    ),
    `etcdctl user add ${user} --new-user-password="$PASSWORD"`,
    `etcdctl user grant-role ${user} ${enrol.role}`,
    `etcdctl put ${enrol.member.key} '${enrol.member.value}'`,
    `# host ${id}: fleet.etcd.username "${user}", its password in the variable fleet.etcd.password names`,
  ];
}

/** Applies an enrolment with the operator's etcd user (root, to manage roles). */
export async function enrollHost(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  enrol: Enrolment,
  password: string | undefined,
): Promise<{ userCreated: boolean }> {
  if (!('etcd' in fleet.backend)) return etcdOnly('enroll', 'FleetLock');
  const { openEtcdStore } = await import('./store/etcdStore.js');
  const { Range } = await import('etcd3');
  const store = await openEtcdStore(fleet.backend.etcd, env);
  const exists = (error: unknown) => /already exists/.test(String(error));
  try {
    await store.admin(`create role ${enrol.role}`, async (client) => {
      const role = client.role(enrol.role);
      await role.create().catch((error: unknown) => {
        if (!exists(error)) throw error;
      });
      for (const grant of enrol.grants) {
        await role.grant({
          permission: grant.permission,
          range: grant.prefix ? Range.prefix(grant.key) : new Range(grant.key),
        });
      }
    });
    let userCreated = false;
    if (password !== undefined) {
      await store.admin(`create user ${enrol.role}`, async (client) => {
        await client
          .user(enrol.role)
          .create(password)
          .then(() => (userCreated = true))
          .catch((error: unknown) => {
            if (!exists(error)) throw error;
          });
        await client.user(enrol.role).addRole(enrol.role);
      });
    }
    await store.commit([], [{ put: enrol.member.key, value: enrol.member.value }]);
    return { userCreated };
  } finally {
    await store.close();
  }
}

export interface PruneResult {
  deleted: string[];
}

/**
 * Deletes what no host needs: proofs closed before `cutoff`, rejections forgiven before it,
 * forgiveness of sets nobody rejects any more, records that do not read as theirs, and the keys
 * of the layout before per-host keys. Open proofs, live rejections, reports and claims stay.
 */
export async function pruneFleet(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  olderThanMs: number,
  dryRun: boolean,
): Promise<PruneResult> {
  if (!('etcd' in fleet.backend)) return etcdOnly('prune', 'FleetLock');
  const { openEtcdStore } = await import('./store/etcdStore.js');
  const { checkRecord } = await import('./store/records.js');
  const store = await openEtcdStore(fleet.backend.etcd, env);
  const keys = fleetKeys(fleet.backend.etcd.prefix);
  const cutoff = Date.now() - olderThanMs;
  const before = (time: string | undefined) => time !== undefined && Date.parse(time) < cutoff;
  try {
    const [proofs, rejections, forgiven, slots, legacy] = await Promise.all([
      store.list(keys.proofs),
      store.list(keys.rejections),
      store.list(keys.forgivenAll),
      store.list(keys.slots),
      Promise.all(keys.legacy.map((prefix) => store.list(prefix))),
    ]);
    const deleted: string[] = [];
    for (const kv of proofs.kvs) {
      const record = checkRecord('proof', kv.value);
      if (!record.ok || before(record.value.until)) deleted.push(kv.key);
    }
    const forgivenAt = new Map(
      forgiven.kvs.map((kv) => [kv.key.slice(keys.forgivenAll.length), kv]),
    );
    const stillRejected = new Set<string>();
    for (const kv of rejections.kvs) {
      const set = kv.key.split('/').at(-1) ?? '';
      const record = checkRecord('rejection', kv.value);
      const lifted = forgivenAt.get(set);
      if (
        !record.ok ||
        (lifted && kv.modRevision < lifted.modRevision && before(record.value.at))
      ) {
        deleted.push(kv.key);
      } else {
        stillRejected.add(set);
      }
    }
    for (const [set, kv] of forgivenAt) {
      if (!stillRejected.has(set)) deleted.push(kv.key);
    }
    deleted.push(...legacy.flatMap((listing) => listing.kvs.map((kv) => kv.key)));
    // The old layout's semaphore documents: PREFIX/slots/GROUP with no "/" after the group.
    deleted.push(
      ...slots.kvs
        .filter((kv) => !kv.key.slice(keys.slots.length).includes('/'))
        .map((kv) => kv.key),
    );
    if (!dryRun) {
      // In batches: etcd caps the operations of one transaction (128 by default).
      for (let at = 0; at < deleted.length; at += 100) {
        await store.commit(
          [],
          deleted.slice(at, at + 100).map((key) => ({ delete: key })),
        );
      }
    }
    return { deleted };
  } finally {
    await store.close();
  }
}
