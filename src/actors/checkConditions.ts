// `checkingConditions` and `recheckingConditions`: the facts the skip guards read. Is now inside
// a maintenance window, is the host on AC power (read from sysfs as systemd's ConditionACPower=
// does), is the connection unmetered (as NetworkManager reports it)?
import { execa } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { checkWindows } from '../config/maintenanceWindow.js';
import type { ConditionFacts } from '../machine/types.js';
import type { Log } from '../log.js';

export async function checkConditions(
  config: Pick<ResolvedConfig, 'windows' | 'conditions'>,
  deps: { log: Log; env: NodeJS.ProcessEnv; signal: AbortSignal },
  now: Date = new Date(),
): Promise<ConditionFacts> {
  const reasons: string[] = [];
  if (config.windows.length > 0) {
    const verdict = checkWindows(config.windows, now);
    if (!verdict.inside)
      reasons.push(
        `outside the maintenance window${verdict.next ? ` (next: ${verdict.next})` : ''}`,
      );
  }
  if (config.conditions.acPower && !(await onAcPower(config.conditions.sysfsRoot))) {
    reasons.push('on battery');
  }
  if (config.conditions.unmetered && (await meteredConnection(deps))) {
    reasons.push('metered connection');
  }
  return reasons.length === 0 ? { hold: true } : { hold: false, reason: reasons.join(', ') };
}

/**
 * systemd's rule: on AC when a Mains supply is online; on battery when there are Mains supplies
 * and none is online, or only batteries; a machine with no supply at all counts as on AC.
 */
export async function onAcPower(sysfsRoot: string): Promise<boolean> {
  const folder = join(sysfsRoot, 'class', 'power_supply');
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new Error(`cannot read ${folder} (${error.code ?? error.message})`);
  });
  const read = (name: string, file: string) =>
    readFile(join(folder, name, file), 'utf8').then(
      (text) => text.trim(),
      () => '',
    );
  const supplies = await Promise.all(
    names.map(async (name) => ({
      type: await read(name, 'type'),
      online: await read(name, 'online'),
    })),
  );
  const mains = supplies.filter((supply) => supply.type === 'Mains');
  if (mains.some((supply) => supply.online === '1')) return true;
  if (mains.length > 0) return false;
  return !supplies.some((supply) => supply.type === 'Battery');
}

/** Said once per process: "no NetworkManager" is not worth a line every check. */
let saidNoNetworkManager = false;

/**
 * Whether a connected device's connection is metered, as NetworkManager says (`yes`, or its guess
 * `yes (guessed)`/`guess-yes`). No nmcli: unmetered, and the log says so once.
 */
export async function meteredConnection(deps: {
  log: Log;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}): Promise<boolean> {
  const result = await execa(
    'nmcli',
    ['-t', '-f', 'GENERAL.DEVICE,GENERAL.STATE,GENERAL.METERED', 'device', 'show'],
    { reject: false, env: deps.env, extendEnv: false, cancelSignal: deps.signal, timeout: 10_000 },
  );
  if (result.code === 'ENOENT') {
    if (!saidNoNetworkManager)
      deps.log.info(
        'NetworkManager (nmcli) is not installed: counting the connection as unmetered',
      );
    saidNoNetworkManager = true;
    return false;
  }
  if (result.failed) {
    throw new Error(
      `nmcli could not say whether the connection is metered (${result.stderr.trim() || `exit code ${result.exitCode ?? '?'}`}): fix NetworkManager, or drop "unmetered" from conditions`,
    );
  }
  // Terse output: one "FIELD:value" line per field, a blank line between devices.
  const devices = result.stdout.split(/\n\s*\n/).map((block) =>
    Object.fromEntries(
      block
        .split('\n')
        .filter((line) => line.includes(':'))
        .map((line) => [
          line.slice(0, line.indexOf(':')),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
    ),
  );
  return devices.some((device) => {
    const connected = /^100\b|\(connected\)/.test(device['GENERAL.STATE'] ?? '');
    const metered = /^(yes|guess-yes)\b/.test(device['GENERAL.METERED'] ?? '');
    return connected && metered;
  });
}
