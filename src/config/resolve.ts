// Turns a valid config into what the runner uses: absolute paths, commands in one shape,
// durations in milliseconds. Pure: relative paths are resolved against the config's folder.
import { resolve } from 'node:path';
import { urlSecrets, urlCredentials } from '../redact.js';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';
import { parseShare } from './share.js';
import type { WindowSpec } from './maintenanceWindow.js';
import type { Command, Notification, SecretRef } from './schema.generated.js';
import type { ValidConfig } from './validate.js';

export interface CommandSpec {
  /** Prefix of the command's output lines in the log. */
  name: string;
  /** A shell line (run by /bin/sh -c) or an argv (run without a shell). */
  run: { shell: string } | { argv: string[] };
  timeoutMs?: number;
  env: Record<string, string>;
  cwd: string;
}

export interface RepoSpec {
  name: string;
  path: string;
  remote: string;
  branch: string;
  /** Set when new commits must be signed by a key in this allowed_signers file. */
  allowedSignersFile?: string;
}

export type NotifyEvent = NonNullable<Notification['on']>[number];

export interface WebhookSpec {
  /** Empty until a secret reference is resolved (src/config/secretRefs.ts). */
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  retries: number;
  /** What the config names instead of holding: read when a run starts, then in url/headers. */
  secretRefs?: { url?: SecretRef; headers: Record<string, SecretRef> };
}

export interface NotificationSpec {
  name: string;
  on: NotifyEvent[];
  target: { webhook: WebhookSpec } | { command: CommandSpec };
}

export interface HealthCheckSpec {
  name: string;
  target:
    { command: CommandSpec } | { http: { url: string; expectStatus: number; timeoutMs: number } };
  retries: number;
  intervalMs: number;
}

/** Whether a run checks a window or conditions before it goes on. */
export function conditionsConfigured(
  config: Pick<ResolvedConfig, 'windows' | 'conditions'>,
): boolean {
  return config.windows.length > 0 || config.conditions.acPower || config.conditions.unmetered;
}

export interface RebootSpec {
  when: 'never' | 'needed' | 'always';
  /** Times of day, "HH:MM"; the window may cross midnight. */
  window?: { lower: string; upper: string };
  command: CommandSpec;
  bootedSystem: string;
}

export interface EtcdSpec {
  endpoints: string[];
  prefix: string;
  username?: string;
  /** The environment variable that holds the password (never the password itself). */
  passwordEnv?: string;
  tls?: { ca?: string; cert?: string; key?: string };
  timeoutMs: number;
}

/** One wave of a rollout through a group: a share of its reported hosts, and its soak. */
export interface WaveSpec {
  /** 0 < share <= 1. */
  share: number;
  soakMs: number;
}

/** A check that must pass before a follower takes a proven set (docs/fleet.md, "Gates"). */
export interface GateSpec {
  name: string;
  timeoutMs: number;
  check:
    | { command: CommandSpec }
    | { prometheus: { url: string; query: string; min?: number; max?: number } };
}

export interface FollowSpec {
  group: string;
  hosts: number;
  soakMs: number;
  /** In order; the last has share 1. Without fleet.follow.waves: one wave of 100 %. */
  waves: WaveSpec[];
  gates: GateSpec[];
}

/** Slots from a fleet coordinator, taken before switching (docs/fleet.md). */
export interface ResolvedFleet {
  group: string;
  /** Unset: /etc/machine-id, read when a slot is asked for. */
  id?: string;
  slotTimeoutMs: number;
  onFailure: 'hold' | 'release';
  /** Take only commit sets proven on these canaries (etcd only). */
  follow?: FollowSpec;
  /** Without the store, a canary does not upgrade (true) or goes on unreported (false). */
  requireReport: boolean;
  /** A host's own closed proofs older than this are deleted with its report (etcd). */
  keepProofsMs: number;
  backend: { etcd: EtcdSpec } | { fleetLock: { url: string; timeoutMs: number } };
}

/** system.closure: take the system CI built from a binary cache (docs/closures.md). */
export interface ClosureSpec {
  source: { command: CommandSpec } | { url: string };
  substituters: string[];
  publicKeys: string[];
  fallback: 'wait' | 'build' | 'fail';
  keepFreeBytes: number;
  gcCommand?: CommandSpec;
  prefetch: boolean;
  timeoutMs: number;
}

export interface ResolvedConfig {
  /** The file the config came from, for messages. */
  file: string;
  mode: 'local' | 'remote';
  schedule: string;
  randomizedDelayMs: number;
  fixedRandomDelay: boolean;
  persistent: boolean;
  stateDir: string;
  repos: RepoSpec[];
  fetchTimeoutMs: number;
  fetchRetries: number;
  preUpdateHooks: CommandSpec[];
  buildBeforeSwitch: boolean;
  build?: CommandSpec;
  validationChecks: CommandSpec[];
  validationConcurrency: number;
  onValidationFailure: 'rollback' | 'notify' | 'ignore';
  switch: CommandSpec;
  rollbackSwitch?: CommandSpec;
  /** A switch refused for its switch inhibitors: installed for the next boot, or a failure. */
  inhibited: 'boot' | 'fail';
  healthChecks: HealthCheckSpec[];
  notify: NotificationSpec[];
  keepRuns: number;
  gitConcurrency: number;
  metricsFile?: string;
  /** The Nix system profile whose generations the run saves and restores. */
  system?: { profile: string; closure?: ClosureSpec };
  /** When and how to reboot after an upgrade; `when: "never"` without a `reboot` key. */
  reboot: RebootSpec;
  /** Checks `boot-check` runs after the reboot, besides healthChecks. */
  bootChecks: HealthCheckSpec[];
  /** Maintenance windows; empty: any time. */
  windows: WindowSpec[];
  /** What must hold for a run to go on (else it is skipped). */
  conditions: { acPower: boolean; unmetered: boolean; sysfsRoot: string };
  /** Fleet slots; unset: the host switches without asking anyone. */
  fleet?: ResolvedFleet;
  /** Values never written anywhere: secretEnv values, webhook headers and URL credentials. */
  secrets: string[];
}

export function resolveConfig(
  config: ValidConfig,
  file: string,
  configDir: string,
): ResolvedConfig {
  const command = (value: Command, defaultName: string) => toSpec(value, defaultName, configDir);
  const numbered = (list: Command[], label: string) =>
    list.map((value, index) => command(value, list.length === 1 ? label : `${label} ${index + 1}`));
  return {
    file,
    mode: config.mode,
    schedule: config.schedule,
    randomizedDelayMs: parseDuration(config.randomizedDelaySec),
    fixedRandomDelay: config.fixedRandomDelay,
    persistent: config.persistent,
    stateDir: resolve(configDir, config.stateDir),
    repos: config.repos.map(({ requireSignedCommits, allowedSignersFile, ...repo }) => ({
      ...repo,
      path: resolve(configDir, repo.path),
      ...(requireSignedCommits && allowedSignersFile
        ? { allowedSignersFile: resolve(configDir, allowedSignersFile) }
        : {}),
    })),
    fetchTimeoutMs: parseDuration(config.fetchTimeout),
    fetchRetries: config.fetchRetries,
    preUpdateHooks: numbered(config.preUpdateHooks, 'hook'),
    buildBeforeSwitch: config.buildBeforeSwitch,
    ...(config.build === undefined ? {} : { build: command(config.build, 'build') }),
    validationChecks: numbered(config.validationChecks, 'check'),
    validationConcurrency: config.validationConcurrency,
    onValidationFailure: config.onValidationFailure,
    switch: command(config.switch, 'switch'),
    inhibited: config.inhibited ?? 'boot',
    ...(config.rollbackSwitch === undefined
      ? {}
      : { rollbackSwitch: command(config.rollbackSwitch, 'rollback-switch') }),
    healthChecks: config.healthChecks.map((check, index) => toHealthCheck(check, index, configDir)),
    notify: config.notify.map((notification, index) =>
      toNotification(notification, index, configDir),
    ),
    keepRuns: config.keepRuns,
    gitConcurrency: config.gitConcurrency ?? 8,
    secrets: collectSecrets(config),
    ...(config.system === undefined
      ? {}
      : {
          system: {
            profile: config.system.profile,
            ...(config.system.closure
              ? { closure: toClosure(config.system.closure, (value, name) => command(value, name)) }
              : {}),
          },
        }),
    reboot: {
      when: config.reboot?.when ?? 'never',
      ...(config.reboot?.window ? { window: config.reboot.window } : {}),
      command: command(config.reboot?.command ?? ['shutdown', '-r', '+1'], 'reboot'),
      bootedSystem: config.reboot?.bootedSystem ?? '/run/booted-system',
    },
    windows: (config.window === undefined
      ? []
      : Array.isArray(config.window)
        ? config.window
        : [config.window]
    ).map((window) => ({
      start: window.start,
      lengthMs: parseDuration(window.length),
      ...(window.days ? { days: window.days } : {}),
      ...(window.timeZone ? { timeZone: window.timeZone } : {}),
    })),
    conditions: {
      acPower: config.conditions?.acPower ?? false,
      unmetered: config.conditions?.unmetered ?? false,
      sysfsRoot: config.conditions?.sysfsRoot ?? '/sys',
    },
    bootChecks: (config.bootChecks ?? []).map((check, index) =>
      toHealthCheck(check, index, configDir, 'boot'),
    ),
    ...(config.metricsFile === undefined
      ? {}
      : { metricsFile: resolve(configDir, config.metricsFile) }),
    ...(config.fleet === undefined ? {} : { fleet: toFleet(config.fleet, command) }),
  };
}

function toClosure(
  closure: NonNullable<NonNullable<ValidConfig['system']>['closure']>,
  command: (value: Command, name: string) => CommandSpec,
): ClosureSpec {
  return {
    // validate.ts checked that exactly one of the two is there.
    source: closure.command
      ? { command: command(closure.command, 'closure-source') }
      : { url: closure.url ?? '' },
    substituters: closure.substituters,
    publicKeys: closure.publicKeys,
    fallback: closure.fallback ?? 'wait',
    keepFreeBytes: parseSize(closure.keepFree ?? '1GiB'),
    ...(closure.gcCommand ? { gcCommand: command(closure.gcCommand, 'gc') } : {}),
    prefetch: closure.prefetch ?? true,
    timeoutMs: parseDuration(closure.timeout ?? '1h'),
  };
}

function toFleet(
  fleet: NonNullable<ValidConfig['fleet']>,
  command: (value: Command, name: string) => CommandSpec,
): ResolvedFleet {
  const common = {
    group: fleet.group ?? 'default',
    ...(fleet.id === undefined ? {} : { id: fleet.id }),
    slotTimeoutMs: parseDuration(fleet.slotTimeout ?? '30m'),
    onFailure: fleet.onFailure ?? 'hold',
    ...(fleet.follow === undefined ? {} : { follow: toFollow(fleet.follow, command) }),
    requireReport: fleet.requireReport ?? true,
    keepProofsMs: parseDuration(fleet.keepProofs ?? '30d'),
  } as const;
  if (fleet.etcd) {
    const { endpoints, prefix, username, password, tls, timeout } = fleet.etcd;
    return {
      ...common,
      backend: {
        etcd: {
          endpoints: endpoints.map((endpoint) => endpoint.replace(/\/$/, '')),
          prefix: prefix ?? '/xs-upgrade',
          ...(username === undefined ? {} : { username }),
          ...(password === undefined ? {} : { passwordEnv: password }),
          ...(tls === undefined ? {} : { tls }),
          timeoutMs: parseDuration(timeout ?? '5s'),
        },
      },
    };
  }
  const fleetLock = fleet.fleetLock as { url: string; timeout?: string };
  return {
    ...common,
    backend: {
      fleetLock: { url: fleetLock.url, timeoutMs: parseDuration(fleetLock.timeout ?? '10s') },
    },
  };
}

function toFollow(
  follow: NonNullable<NonNullable<ValidConfig['fleet']>['follow']>,
  command: (value: Command, name: string) => CommandSpec,
): FollowSpec {
  const soakMs = parseDuration(follow.soak ?? '2h');
  return {
    group: follow.group,
    hosts: follow.hosts ?? 1,
    soakMs,
    // validate.ts checked that shares grow and the last is 100%.
    waves: (follow.waves ?? [{ share: '100%' }]).map((wave) => ({
      share: parseShare(wave.share),
      soakMs: wave.soak === undefined ? soakMs : parseDuration(wave.soak),
    })),
    gates: (follow.gates ?? []).map((gate) => ({
      name: gate.name,
      timeoutMs: parseDuration(gate.timeout ?? '30s'),
      check: gate.command
        ? { command: command(gate.command, `gate ${gate.name}`) }
        : { prometheus: { ...(gate.prometheus as { url: string; query: string }) } },
    })),
  };
}

function toHealthCheck(
  check: ValidConfig['healthChecks'][number],
  index: number,
  configDir: string,
  prefix = 'health',
): HealthCheckSpec {
  const name = check.name ?? `${prefix} ${index + 1}`;
  const target = check.http
    ? {
        http: {
          url: check.http.url,
          expectStatus: check.http.expectStatus ?? 200,
          timeoutMs: parseDuration(check.http.timeout ?? '10s'),
        },
      }
    : { command: toSpec(check.command ?? 'true', name, configDir) };
  return {
    name,
    target,
    retries: check.retries ?? 3,
    intervalMs: parseDuration(check.interval ?? '5s'),
  };
}

function toNotification(
  notification: ValidConfig['notify'][number],
  index: number,
  configDir: string,
): NotificationSpec {
  const kind = notification.webhook ? 'webhook' : 'command';
  const name = notification.name ?? `${kind} ${index + 1}`;
  const { webhook, command } = notification;
  if (!webhook)
    return {
      name,
      on: notification.on,
      target: { command: toSpec(command ?? 'true', name, configDir) },
    };
  const headers = Object.entries(webhook.headers ?? {});
  const headerRefs = Object.fromEntries(
    headers.flatMap(([header, value]) => (typeof value === 'string' ? [] : [[header, value]])),
  );
  const hasRefs = typeof webhook.url !== 'string' || Object.keys(headerRefs).length > 0;
  const target = {
    webhook: {
      url: typeof webhook.url === 'string' ? webhook.url : '',
      headers: Object.fromEntries(
        headers.flatMap(([header, value]) => (typeof value === 'string' ? [[header, value]] : [])),
      ),
      timeoutMs: parseDuration(webhook.timeout ?? '10s'),
      retries: webhook.retries ?? 2,
      ...(hasRefs
        ? {
            secretRefs: {
              ...(typeof webhook.url === 'string' ? {} : { url: webhook.url }),
              headers: headerRefs,
            },
          }
        : {}),
    },
  };
  return { name, on: notification.on, target };
}

function collectSecrets(config: ValidConfig): string[] {
  const commands: Command[] = [
    ...config.preUpdateHooks,
    ...(config.build === undefined ? [] : [config.build]),
    ...config.validationChecks,
    config.switch,
    ...(config.rollbackSwitch === undefined ? [] : [config.rollbackSwitch]),
    ...config.healthChecks.flatMap((check) => (check.command === undefined ? [] : [check.command])),
    ...config.notify.flatMap((notification) =>
      notification.command === undefined ? [] : [notification.command],
    ),
  ];
  return [
    ...commands.flatMap((command) =>
      typeof command === 'object' && !Array.isArray(command)
        ? Object.values(command.secretEnv ?? {})
        : [],
    ),
    ...config.notify.flatMap((notification) =>
      notification.webhook
        ? [
            ...Object.values(notification.webhook.headers ?? {}).filter(
              (value): value is string => typeof value === 'string',
            ),
            ...(typeof notification.webhook.url === 'string'
              ? urlSecrets(notification.webhook.url)
              : []),
          ]
        : [],
    ),
    // A health check's URL can carry a user, a password or a key in its query, as a webhook's.
    ...config.healthChecks.flatMap((check) => (check.http ? urlCredentials(check.http.url) : [])),
    ...(config.fleet?.fleetLock ? urlSecrets(config.fleet.fleetLock.url) : []),
  ];
}

function toSpec(value: Command, defaultName: string, configDir: string): CommandSpec {
  const object = typeof value === 'string' || Array.isArray(value) ? { run: value } : value;
  const run = typeof object.run === 'string' ? { shell: object.run } : { argv: [...object.run] };
  return {
    name: object.name ?? defaultName,
    run,
    ...(object.timeout === undefined ? {} : { timeoutMs: parseDuration(object.timeout) }),
    env: { ...object.env, ...('secretEnv' in object ? object.secretEnv : {}) },
    cwd: resolve(configDir, object.cwd ?? '.'),
  };
}

/** What to start: a shell line through /bin/sh -c, an argv as it is. */
export function commandArgv(spec: CommandSpec): string[] {
  return 'shell' in spec.run ? ['/bin/sh', '-c', spec.run.shell] : spec.run.argv;
}

/** The command as a user would type it, for logs and --dry-run. */
export function commandText(spec: CommandSpec): string {
  if ('shell' in spec.run) return spec.run.shell;
  return spec.run.argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
