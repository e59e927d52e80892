// Hosts of one fleet on a real etcd: sandboxes whose config joins the fleet, sharing the first
// host's bare remotes (so their commits are the same commits), and new commits pushed there.
import { configurationNix } from '../../demo/nixSystem.js';
import type { Sandbox } from '../../demo/sandbox.js';
import type { useEtcd } from './etcd.js';
import type { useSandboxes } from './sandboxes.js';

export interface Fleet {
  prefix: string;
  /** The first host: its remotes are every host's upstream. */
  upstream?: Sandbox;
}

export async function fleetHost(
  sandboxes: ReturnType<typeof useSandboxes>,
  /** One etcd (useEtcd) or a cluster's members. */
  cluster: ReturnType<typeof useEtcd> | { endpoints: string[] },
  fleet: Fleet,
  id: string,
  options: {
    group: string;
    follow?: Record<string, unknown>;
    requireReport?: boolean;
    /** A real Nix system profile (demo/nixSystem.ts). */
    nix?: boolean;
  },
): Promise<Sandbox> {
  const sandbox = await sandboxes.sandbox(
    {
      fleet: {
        id,
        group: options.group,
        ...(options.follow ? { follow: options.follow } : {}),
        ...(options.requireReport === undefined ? {} : { requireReport: options.requireReport }),
        etcd: {
          endpoints: 'endpoints' in cluster ? cluster.endpoints : [cluster.etcd.endpoint],
          prefix: fleet.prefix,
          timeout: '2s',
        },
      },
    },
    { nix: options.nix ?? false },
  );
  if (!fleet.upstream) {
    fleet.upstream = sandbox;
    return sandbox;
  }
  for (const name of sandbox.repoNames) {
    const path = sandbox.repoPath(name);
    await sandbox.git(['remote', 'set-url', 'origin', fleet.upstream.remotePath(name)], path);
    await sandbox.git(['fetch', '--quiet', 'origin'], path);
    await sandbox.git(['reset', '--quiet', '--hard', 'origin/main'], path);
  }
  return sandbox;
}

/** A new commit upstream; `broken` makes the demo's "no broken services" check fail on it. */
export function pushToFleet(fleet: Fleet, label: string, broken = false): Promise<string> {
  if (!fleet.upstream) throw new Error('no host yet');
  return fleet.upstream.pushUpstream(
    'nix-config',
    'configuration.nix',
    configurationNix(
      `  networking.hostName = "${label}";\n${broken ? '  # broken on purpose\n' : ''}`,
    ),
    label,
  );
}
