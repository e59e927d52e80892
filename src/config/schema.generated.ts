/* Generated from schemas/xs-upgrade.schema.json by `npm run gen:types`. Do not edit. */

/**
 * One host's xs-upgrade configuration. Option names follow the NixOS auto-upgrade module this replaces.
 */
export type XsUpgradeConfig = {
  /**
   * Path or URL of this schema, for editors.
   */
  $schema?: string;
  /**
   * local: the repos on this host are pulled before building. remote: build and switch name a remote source; no repos, no hooks.
   */
  mode?: 'local' | 'remote';
  /**
   * When the systemd timer starts a run (systemd OnCalendar syntax).
   */
  schedule?: string;
  /**
   * The systemd timer waits a random time up to this long after `schedule` (RandomizedDelaySec), so a fleet does not upgrade at once.
   */
  randomizedDelaySec?: string;
  /**
   * Keep the same random delay from run to run on this host (FixedRandomDelay).
   */
  fixedRandomDelay?: boolean;
  /**
   * Run at boot when the host was off at the scheduled time (Persistent).
   */
  persistent?: boolean;
  /**
   * Where saved commits and run state are kept. A relative path is resolved against the config file's folder.
   */
  stateDir?: string;
  /**
   * The git repos that hold this host's configuration, pulled in order.
   *
   * @minItems 1
   */
  repos?: [Repo, ...Repo[]];
  /**
   * How long one fetch of a repo may take before it is stopped.
   */
  fetchTimeout?: string;
  /**
   * Further fetch attempts after a transient network error (timeout, refused, reset, 5xx), with growing pauses.
   */
  fetchRetries?: number;
  /**
   * Commands run in order before anything changes (local mode only). A failure aborts the run with the host untouched.
   */
  preUpdateHooks?: Command[];
  /**
   * Run `build` after pulling and before validating and switching.
   */
  buildBeforeSwitch?: boolean;
  /**
   * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
   */
  build?: string | Argv | CommandObject;
  /**
   * Commands run before the switch; each must exit 0.
   */
  validationChecks?: Command[];
  /**
   * How many validation checks run at once. The first failure stops the others.
   */
  validationConcurrency?: number;
  /**
   * What a failed validation check does: rollback (reset every repo, exit 4), notify (warn, then switch anyway), ignore (switch anyway).
   */
  onValidationFailure?: 'rollback' | 'notify' | 'ignore';
  /**
   * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
   */
  switch: string | Argv | CommandObject;
  /**
   * Checks run after the switch, each retried until it passes; a failure rolls back everything, the system included.
   */
  healthChecks?: HealthCheck[];
  /**
   * What a switch NixOS refuses for its switch inhibitors ("Pre-switch check 'switchInhibitors' failed": systemd, dbus... changed) does. boot: the new generation is made the boot default (`switch-to-configuration boot`, needs system.profile) and the host reboots through the reboot path (window, boot check); fail: a failed switch, rolled back. Either way the commits are not held against the host.
   */
  inhibited?: 'boot' | 'fail';
  /**
   * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
   */
  rollbackSwitch?: string | Argv | CommandObject;
  /**
   * Who hears about runs: webhooks and commands, each for the events in its `on` list.
   */
  notify?: Notification[];
  /**
   * How many git processes a run starts at once across its repos (a host with hundreds of repos must not start hundreds of processes).
   */
  gitConcurrency?: number;
  /**
   * How many run records to keep in stateDir/runs.
   */
  keepRuns?: number;
  /**
   * A Prometheus text file for node_exporter's textfile collector, rewritten after every run. A relative path is resolved against the config file's folder.
   */
  metricsFile?: string;
  /**
   * The Nix system this host runs. With it, the run saves the profile's generation before the switch and a system rollback returns to exactly that generation.
   */
  system?: {
    /**
     * The Nix system profile: an absolute path whose generations are PROFILE-N-link (on NixOS /nix/var/nix/profiles/system).
     */
    profile: string;
    /**
     * Take the system CI built instead of building it here: the store path published for the pulled commits is fetched from a binary cache, its signature checked, and switched to (needs no `build`; `switch` is used only by fallback "build"). See docs/closures.md.
     */
    closure?: {
      /**
       * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
       */
      command?: string | Argv | CommandObject;
      /**
       * Where the store path is published: {host} is this host's name, {REPO} the pulled commit of the repo named REPO, e.g. https://ci.example/closures/{host}/{nix-config}. The answer is the store path on one line; 404: nothing published yet. One of command and url.
       */
      url?: string;
      /**
       * The binary caches to fetch the closure from, in order (Nix's substituters: https://, file://, s3://...).
       *
       * @minItems 1
       */
      substituters: [string, ...string[]];
      /**
       * The keys the closure's paths must be signed with (Nix's trusted-public-keys for this fetch, NAME:BASE64): CI's key, and e.g. cache.nixos.org-1's for paths that come from there. A path signed by no key here is refused.
       *
       * @minItems 1
       */
      publicKeys: [string, ...string[]];
      /**
       * When nothing is published yet for the pulled commits: wait (nothing moves; result nothing-new, saying so), build (build and switch here with `build` and `switch`, as without a closure), fail (aborted, exit 3).
       */
      fallback?: 'wait' | 'build' | 'fail';
      /**
       * Space the Nix store's file system must keep free after the fetch, e.g. "1GiB", "500MB". Not enough: gcCommand first if set, then refused (exit 3, nothing changed).
       */
      keepFree?: string;
      /**
       * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
       */
      gcCommand?: string | Argv | CommandObject;
      /**
       * With a window: a run outside it fetches the closure for the commits upstream (nothing else moves), so the run inside it only switches. Never on a metered network or on battery.
       */
      prefetch?: boolean;
      /**
       * How long fetching the closure may take.
       */
      timeout?: string;
    };
  };
  /**
   * Reboot after an upgrade when the new system needs it (or always), inside a window, then check the boot with `xs-upgrade boot-check`. Needs system.profile.
   */
  reboot?: {
    /**
     * needed: when the new generation's kernel, initrd or kernel-modules differ from the booted system's (NixOS's rule). always: after every upgrade. never: not at all.
     */
    when?: 'never' | 'needed' | 'always';
    /**
     * Reboot only between these times of day (host time; may cross midnight, as NixOS's rebootWindow). Outside it the reboot waits for a run inside it.
     */
    window?: {
      lower: TimeOfDay;
      upper: TimeOfDay;
    };
    /**
     * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
     */
    command?: string | Argv | CommandObject;
    /**
     * The link to the system the host booted (NixOS: /run/booted-system).
     */
    bootedSystem?: string;
  };
  /**
   * Checks `xs-upgrade boot-check` runs after the reboot, besides healthChecks; same shape.
   */
  bootChecks?: HealthCheck[];
  /**
   * Maintenance windows: the disruptive part of a run (switching, health checks, a reboot) happens only inside one. Checked when the run starts (outside: the run is skipped) and again before switching (closed by then: the repos go back, nothing is switched).
   */
  window?: MaintenanceWindow | [MaintenanceWindow, ...MaintenanceWindow[]];
  /**
   * Skip the run (result skipped, exit 0) while these do not hold; checked at the start and again before switching.
   */
  conditions?: {
    /**
     * Only on AC power, as systemd's ConditionACPower= reads /sys/class/power_supply. A machine with no battery counts as on AC.
     */
    acPower?: boolean;
    /**
     * Not on a metered connection, as NetworkManager reports it (nmcli). Without NetworkManager the connection counts as unmetered.
     */
    unmetered?: boolean;
    /**
     * Where sysfs is mounted (a container may bind another).
     */
    sysfsRoot?: string;
  };
  /**
   * Take a slot from the fleet's coordinator (etcd, or a FleetLock server) before switching, so only a few hosts of a group switch at once. The slot is held through the switch and health checks (and the boot check after a reboot) and released when the host is healthy.
   */
  fleet?: {
    [k: string]: unknown;
  } & {
    /**
     * The group whose slots this host shares (FleetLock's group name rules).
     */
    group?: string;
    /**
     * This host's id in the fleet. Default: the contents of /etc/machine-id.
     */
    id?: string;
    /**
     * A duration such as "500ms", "90s", "5m", "2h", or in systemd's time-span syntax: "45min", "1h 30m", "1h30m".
     */
    slotTimeout?: string;
    /**
     * After a switch that failed and was rolled back: hold keeps the slot, so the rollout stops until an operator runs `xs-upgrade fleet release`; release frees it.
     */
    onFailure?: 'hold' | 'release';
    /**
     * Upgrade only to a commit set proven healthy on canaries: at least `hosts` hosts of `group` ran it healthy for at least `soak`. The repos fast-forward to the newest such set that is an ancestor of their remote branch, not to the branch tip. Needs fleet.etcd.
     */
    follow?: {
      /**
       * The canaries' group.
       */
      group: string;
      /**
       * How many canaries must have run the set healthy.
       */
      hosts?: number;
      /**
       * A duration such as "500ms", "90s", "5m", "2h", or in systemd's time-span syntax: "45min", "1h 30m", "1h30m".
       */
      soak?: string;
      /**
       * How far and how fast a proven set spreads through this host's group: each wave opens the set to a share of the group's reported hosts, in a stable order hashed from host id and set; the next wave opens once that many hosts of the group ran it healthy for the wave's soak. Shares grow, and the last is "100%". Unset: one wave of 100%.
       *
       * @minItems 1
       */
      waves?: [
        {
          /**
           * The share of the group's reported hosts this wave opens the set to, e.g. "5%".
           */
          share: string;
          /**
           * A duration such as "500ms", "90s", "5m", "2h", or in systemd's time-span syntax: "45min", "1h 30m", "1h30m".
           */
          soak?: string;
        },
        ...{
          /**
           * The share of the group's reported hosts this wave opens the set to, e.g. "5%".
           */
          share: string;
          /**
           * A duration such as "500ms", "90s", "5m", "2h", or in systemd's time-span syntax: "45min", "1h 30m", "1h30m".
           */
          soak?: string;
        }[]
      ];
      /**
       * Checks that must all pass before this host takes a proven set (so before a set grows to the next wave). A gate that fails or cannot be evaluated holds the rollout; it never passes by default.
       */
      gates?: {
        /**
         * Named in every line about the gate.
         */
        name: string;
        /**
         * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
         */
        command?: string | Argv | CommandObject;
        /**
         * An instant query (/api/v1/query); passes when every sample lies within min and max. No samples, NaN, or a server that does not answer: the gate cannot be evaluated, and holds.
         */
        prometheus?: {
          /**
           * The Prometheus server, e.g. http://prometheus:9090 (user:password@ for Basic auth).
           */
          url: string;
          /**
           * PromQL; {set} and {group} are replaced by the set's id and this host's group.
           */
          query: string;
          min?: number;
          max?: number;
        };
        /**
         * A duration such as "500ms", "90s", "5m", "2h", or in systemd's time-span syntax: "45min", "1h 30m", "1h30m".
         */
        timeout?: string;
      }[];
    };
    /**
     * A duration such as "500ms", "90s", "5m", "2h", or in systemd's time-span syntax: "45min", "1h 30m", "1h30m".
     */
    keepProofs?: string;
    /**
     * With fleet.etcd: when the store cannot be reached, a host that follows no canaries does not upgrade (exit 75) unless this is false; then it goes on without the fleet-wide quarantine and without reporting. A follower never upgrades without the store.
     */
    requireReport?: boolean;
    /**
     * Slots in an etcd v3 cluster: one semaphore per group, changed only by compare-and-swap transactions.
     */
    etcd?: {
      /**
       * Client URLs of the cluster's members, such as http://10.0.0.1:2379.
       *
       * @minItems 1
       */
      endpoints: [string, ...string[]];
      /**
       * The key prefix under which xs-upgrade keeps its documents.
       */
      prefix?: string;
      /**
       * etcd user, when the cluster has authentication on.
       */
      username?: string;
      /**
       * The name of an environment variable (e.g. set by the unit's EnvironmentFile) that holds the etcd user's password. Never written to logs or records.
       */
      password?: string;
      /**
       * Client TLS: the CA that signed the members' certificates, and this host's certificate and key when the cluster asks for them.
       */
      tls?: {
        ca?: string;
        cert?: string;
        key?: string;
      };
      /**
       * A duration such as "500ms", "90s", "5m", "2h", or in systemd's time-span syntax: "45min", "1h 30m", "1h30m".
       */
      timeout?: string;
    };
    /**
     * Slots from a FleetLock server (Zincati's protocol: airlock, fleetlock).
     */
    fleetLock?: {
      /**
       * The server's base URL; xs-upgrade POSTs to URL/v1/pre-reboot and URL/v1/steady-state.
       */
      url: string;
      /**
       * A duration such as "500ms", "90s", "5m", "2h", or in systemd's time-span syntax: "45min", "1h 30m", "1h30m".
       */
      timeout?: string;
    };
  };
};
export type Repo = {
  /**
   * Short name used in logs and saved state; unique per host.
   */
  name: string;
  /**
   * The repo's work tree. A relative path is resolved against the config file's folder.
   */
  path: string;
  /**
   * The git remote to fetch from.
   */
  remote?: string;
  /**
   * The branch that is checked out and fast-forwarded to remote/branch.
   */
  branch?: string;
  /**
   * The new upstream commit must carry an SSH signature by a key in allowedSignersFile (`git verify-commit`), or nothing is pulled.
   */
  requireSignedCommits?: boolean;
  /**
   * An ssh allowed_signers file (see ssh-keygen(1)) naming the keys that may sign. Relative to the config file's folder.
   */
  allowedSignersFile?: string;
} & {
  /**
   * Short name used in logs and saved state; unique per host.
   */
  name: string;
  /**
   * The repo's work tree. A relative path is resolved against the config file's folder.
   */
  path: string;
  /**
   * The git remote to fetch from.
   */
  remote?: string;
  /**
   * The branch that is checked out and fast-forwarded to remote/branch.
   */
  branch?: string;
  /**
   * The new upstream commit must carry an SSH signature by a key in allowedSignersFile (`git verify-commit`), or nothing is pulled.
   */
  requireSignedCommits?: boolean;
  /**
   * An ssh allowed_signers file (see ssh-keygen(1)) naming the keys that may sign. Relative to the config file's folder.
   */
  allowedSignersFile?: string;
};
/**
 * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
 */
export type Command = string | Argv | CommandObject;
/**
 * Program and arguments, run without a shell.
 *
 * @minItems 1
 */
export type Argv = [string, ...string[]];
export type HealthCheck = {
  /**
   * Shown in logs; default "health 1", ...
   */
  name?: string;
  /**
   * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
   */
  command?: string | Argv | CommandObject;
  http?: HttpCheck;
  /**
   * Further attempts after a failed one.
   */
  retries?: number;
  /**
   * Pause between attempts.
   */
  interval?: string;
};
export type Notification = {
  /**
   * Shown in logs; default "webhook 1", "command 2", ...
   */
  name?: string;
  /**
   * The events this notification is sent for.
   *
   * @minItems 1
   */
  on?: [NotifyEvent, ...NotifyEvent[]];
  webhook?: Webhook;
  /**
   * A command: a string (run by /bin/sh -c), an argv array (run without a shell), or an object.
   */
  command?: string | Argv | CommandObject;
};
/**
 * success: upgraded. installed-for-boot: NixOS refused to switch live for its switch inhibitors, and the new system was made the boot default (sent before success). nothing-new: nothing upstream. held-back: upstream is at commits that failed here before. fetch-failed: the network failed, nothing moved. skipped: outside the maintenance window, on battery or metered. no-slot: no fleet slot within fleet.slotTimeout; the repos went back, nothing was switched. fleet-unavailable: the fleet's coordinator (etcd or FleetLock) could not be reached or failed; nothing was switched. failure: aborted, rolled back or rollback failed (also every run refused while a failed rollback waits for an operator). rolled-back, rollback-failed: those alone. validation-failed: a check failed under onValidationFailure "notify". recalled: the set this host ran was rejected or aborted fleet-wide, and the host went back to the newest set it ran healthy before.
 */
export type NotifyEvent =
  | 'success'
  | 'installed-for-boot'
  | 'nothing-new'
  | 'held-back'
  | 'fetch-failed'
  | 'skipped'
  | 'no-slot'
  | 'fleet-unavailable'
  | 'failure'
  | 'rolled-back'
  | 'rollback-failed'
  | 'validation-failed'
  | 'recalled';
/**
 * A time of day, HH:MM (24 hours).
 */
export type TimeOfDay = string;
/**
 * A duration such as "500ms", "90s", "5m", "2h", or in systemd's time-span syntax: "45min", "1h 30m", "1h30m".
 */
export type Duration = string;

export interface CommandObject {
  /**
   * Shown in logs as the output prefix.
   */
  name?: string;
  /**
   * A string (run by /bin/sh -c) or an argv array (run without a shell).
   */
  run: string | Argv;
  /**
   * Stop the command after this long (SIGTERM, then SIGKILL 10s later).
   */
  timeout?: string;
  /**
   * Extra environment variables.
   */
  env?: {
    [k: string]: string;
  };
  /**
   * Environment variables whose values are secrets: passed to the command like `env`, and replaced by *** in logs, run records, --dry-run and --inspect output.
   */
  secretEnv?: {
    [k: string]: string;
  };
  /**
   * Working directory; relative to the config file's folder.
   */
  cwd?: string;
}
export interface HttpCheck {
  /**
   * Fetched with GET.
   */
  url: string;
  /**
   * The status the answer must have.
   */
  expectStatus?: number;
  /**
   * How long one attempt may take.
   */
  timeout?: string;
}
export interface Webhook {
  /**
   * Where the JSON payload is POSTed: an http:// or https:// URL, or a secret reference ({"env": NAME} or {"credential": NAME}) so the URL, which often carries a token, stays out of the config file and the Nix store. Never written to logs or records past its origin.
   */
  url: string | SecretRef;
  /**
   * Extra request headers (e.g. Authorization), each a value or a secret reference; never written to logs or records.
   */
  headers?: {
    [k: string]: string | SecretRef;
  };
  /**
   * How long one attempt may take.
   */
  timeout?: string;
  /**
   * Further attempts after a network error or a 5xx answer, with growing pauses.
   */
  retries?: number;
}
/**
 * A secret named, not held: its value is read when a run starts, from the environment (systemd EnvironmentFile=; NixOS services.xs-upgrade.secretEnvFile) or from a systemd credential (LoadCredential=; services.xs-upgrade.credentials). Exactly one of env and credential.
 */
export interface SecretRef {
  /**
   * The environment variable that holds the value.
   */
  env?: string;
  /**
   * The systemd credential that holds the value, read from $CREDENTIALS_DIRECTORY/NAME.
   */
  credential?: string;
}
export interface MaintenanceWindow {
  /**
   * The days the window starts on (default every day).
   *
   * @minItems 1
   */
  days?: [
    'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun',
    ...('Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun')[]
  ];
  start: TimeOfDay;
  length: Duration;
  /**
   * An IANA time zone such as Europe/Berlin (default the host's).
   */
  timeZone?: string;
}
