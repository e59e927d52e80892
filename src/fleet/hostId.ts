// The host's id in the fleet: `fleet.id`, else /etc/machine-id as systemd writes it (what
// Zincati uses too), so a host keeps its id, and its slot, across runs and reboots.
import { readFile } from 'node:fs/promises';
import { ExitCode, XsUpgradeError } from '../errors.js';

export const machineIdFile = '/etc/machine-id';

export async function fleetHostId(configured: string | undefined, file = machineIdFile) {
  if (configured) return configured;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new XsUpgradeError(
      `fleet.id is not set and ${file} cannot be read (${code}): set "fleet.id" in the config`,
      ExitCode.config,
    );
  }
  const id = text.trim();
  if (!/^[0-9a-f]{32}$/.test(id)) {
    throw new XsUpgradeError(
      `fleet.id is not set and ${file} does not hold a machine id: set "fleet.id" in the config`,
      ExitCode.config,
    );
  }
  return id;
}
