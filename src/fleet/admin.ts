// What an operator does to the fleet: look at it, free a slot a host holds (after looking at that
// host), size a group, forgive a set, enroll a host, prune old records. Over FleetLock only
// release exists: its protocol has no more. Everything but `status` writes keys no host's role
// may write (docs/fleet.md, "Roles"): run it with the operator's etcd user.
import { ExitCode, XsUpgradeError } from '../errors.js';
import { userInfo } from 'node:os';
import type { EtcdSpec, ResolvedFleet } from '../config/resolve.js';
import type { Coordinator } from './coordinator.js';
import { openCoordinator } from './openCoordinator.js';
import type { Semaphore } from './semaphore.js';
import type { HostReport, SetRecord } from './rollout.js';
import type { Pause } from './store/fleetRecords.js';
import { fleetKeys, operatorPattern, type FleetKeys } from './store/keys.js';
import type { EtcdStore } from './store/etcdStore.js';
import { sameCommits } from './rollout.js';
import type { GateRecord } from './store/records.js';
import { waveProgress } from './waves.js';

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

/** The fleet's etcd for one operator command, opened and closed around `use`. */
async function withEtcd<T>(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  what: string,
  use: (store: EtcdStore, keys: FleetKeys, spec: EtcdSpec) => Promise<T>,
): Promise<T> {
  if (!('etcd' in fleet.backend)) return etcdOnly(what, 'FleetLock');
  const spec = fleet.backend.etcd;
  const { openEtcdStore } = await import('./store/etcdStore.js');
  const store = await openEtcdStore(spec, env);
  try {
    return await use(store, fleetKeys(spec.prefix), spec);
  } finally {
    await store.close();
  }
}

/** The rollout's records over an operator command's etcd (withEtcd). */
async function rolloutOver(store: EtcdStore, spec: EtcdSpec, env: NodeJS.ProcessEnv) {
  const { openRolloutStore } = await import('./rolloutStore.js');
  return openRolloutStore(spec, env, { store });
}

/** Everything the fleet's store knows: slots per group, each host's last run, the commit sets. */
export interface FleetView {
  groups: Semaphore[];
  hosts: HostReport[];
  sets: SetRecord[];
  /** Operators' pauses (`group` unset: every group). */
  paused: Pause[];
  /** With fleet.follow: how far each set spread through this config's group, and its gates. */
  rollout?: SetRollout[];
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
    const [hosts, sets, paused] = await Promise.all([
      store.hosts(),
      store.sets(),
      store.pauses(),
    ]).finally(() => store.close());
    // Every group a host reports in, and this host's own, even before anyone took a slot there.
    const { emptySemaphore } = await import('./semaphore.js');
    for (const group of new Set([fleet.group, ...hosts.map((host) => host.group)])) {
      if (!groups.some((entry) => entry.group === group)) groups.push(emptySemaphore(group));
    }
    groups.sort((a, b) => a.group.localeCompare(b.group));
    sets.sort((a, b) => latest(b).localeCompare(latest(a)));
    const rollout = fleet.follow ? setRollouts(fleet, hosts, sets, Date.now()) : undefined;
    return { groups, hosts, sets, paused, ...(rollout ? { rollout } : {}), warnings };
  });
}

/** A set's way through a group of followers, as `fleet status` shows it. */
export interface SetRollout {
  set: string;
  group: string;
  /** 1-based. */
  wave: number;
  waves: number;
  share: number;
  /** Hosts the set is open to, of the group's reported hosts. */
  open: number;
  hosts: number;
  /** Hosts of the group on the set now. */
  running: number;
  /** Soaked for this wave, and needed for the next (unset on the last wave). */
  soaked: number;
  needed?: number;
  /** The newest gate results a host of the group reported for the set. */
  gates?: GateRecord;
}

/** Each set canaries proved (and not rejected), through this config's group's waves. */
function setRollouts(
  fleet: ResolvedFleet,
  hosts: HostReport[],
  sets: SetRecord[],
  now: number,
): SetRollout[] {
  const follow = fleet.follow;
  if (!follow) return [];
  const members = hosts.filter((host) => host.group === fleet.group);
  return sets
    .filter(
      (set) =>
        set.rejected.length === 0 && set.proven.some((proof) => proof.group === follow.group),
    )
    .map((set) => {
      const progress = waveProgress(
        set,
        fleet.group,
        follow.waves,
        members.map((host) => host.id),
        now,
      );
      const gates = members
        .map((host) => host.gates)
        .filter((record): record is GateRecord => record?.set === set.id)
        .sort((a, b) => b.at.localeCompare(a.at))[0];
      return {
        set: set.id,
        group: fleet.group,
        wave: progress.wave + 1,
        waves: progress.waves,
        share: progress.share,
        open: progress.open,
        hosts: progress.order.length,
        running: members.filter((host) => sameCommits(host.commits, set.commits)).length,
        soaked: progress.soaked,
        ...(progress.needed === undefined ? {} : { needed: progress.needed }),
        ...(gates ? { gates } : {}),
      };
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
  return withEtcd(fleet, env, 'forgive', async (store, _keys, spec) =>
    (await rolloutOver(store, spec, env)).forgive(id),
  );
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
  const { Range } = await import('etcd3');
  const exists = (error: unknown) => /already exists/.test(String(error));
  return withEtcd(fleet, env, 'enroll', async (store) => {
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
  });
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
  const { checkRecord } = await import('./store/records.js');
  const cutoff = Date.now() - olderThanMs;
  const before = (time: string | undefined) => time !== undefined && Date.parse(time) < cutoff;
  return withEtcd(fleet, env, 'prune', async (store, keys) => {
    const [proofs, rejections, aborted, forgiven, slots, legacy] = await Promise.all([
      store.list(keys.proofs),
      store.list(keys.rejections),
      store.list(keys.abortedAll),
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
    // An operator's abort is lifted by the same forgiveness as a host's rejection.
    const lifted = [
      ...rejections.kvs.map((kv) => ({ kv, kind: 'rejection' as const })),
      ...aborted.kvs.map((kv) => ({ kv, kind: 'abort' as const })),
    ];
    for (const { kv, kind } of lifted) {
      const set = kv.key.split('/').at(-1) ?? '';
      const record = checkRecord(kind, kv.value);
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
  });
}

/**
 * Who an operator's record names: the etcd user the operator's config logs in as, else the
 * system user running the command (sudo's caller, not root).
 */
export function operatorName(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  user: string = userInfo().username,
): string {
  const name =
    ('etcd' in fleet.backend ? fleet.backend.etcd.username : undefined) ?? env.SUDO_USER ?? user;
  const clean = name.replace(/[^A-Za-z0-9._@:-]/g, '_').slice(0, 100);
  return operatorPattern.test(clean) ? clean : 'operator';
}

/** Where a pause applies: one group, or every group. */
export type PauseScope = { group: string } | { all: true };

/** Pauses a group, or every group: it takes no new set until `fleet resume`. */
export function pauseFleet(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  scope: PauseScope,
  record: { by: string; reason: string },
): Promise<Pause> {
  return withEtcd(fleet, env, 'pause', async (store, keys) => {
    const pause = { at: new Date().toISOString(), by: record.by, reason: record.reason };
    const key = 'all' in scope ? keys.pausedAll : keys.pausedGroup(scope.group);
    await store.commit([], [{ put: key, value: JSON.stringify(pause) }]);
    return { ...('all' in scope ? {} : { group: scope.group }), ...pause };
  });
}

/** Lifts a pause; false when there was none. */
export function resumeFleet(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  scope: PauseScope,
): Promise<boolean> {
  return withEtcd(fleet, env, 'resume', async (store, keys) => {
    const key = 'all' in scope ? keys.pausedAll : keys.pausedGroup(scope.group);
    const { kv } = await store.get(key);
    if (!kv) return false;
    await store.commit([], [{ delete: key }]);
    return true;
  });
}

/**
 * Rejects a set fleet-wide in an operator's name: no host takes it (a follower neither), until
 * `fleet forgive`. Undefined when no host has a record of that set.
 */
export function abortSet(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
  id: string,
  record: { by: string; reason: string },
): Promise<SetRecord | undefined> {
  return withEtcd(fleet, env, 'abort', async (store, keys, spec) => {
    // Read through the same checks as every host: the set's id is the hash of its commits.
    const found = (await (await rolloutOver(store, spec, env)).sets()).find(
      (entry) => entry.id === id,
    );
    if (!found) return undefined;
    const at = new Date().toISOString();
    const abort = { commits: found.commits, at, by: record.by, reason: record.reason };
    await store.commit([], [{ put: keys.aborted(id), value: JSON.stringify(abort) }]);
    return {
      ...found,
      rejected: [
        ...found.rejected,
        { host: record.by, group: 'operator', at, reason: record.reason, aborted: true as const },
      ],
    };
  });
}
