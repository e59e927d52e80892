// The host's id in the fleet: `fleet.id`, else /etc/machine-id as systemd writes it (what
// Zincati uses too), so a host keeps its id, and its slot, across runs and reboots.
import { access, constants, readFile } from 'node:fs/promises';
import type { ResolvedFleet } from '../config/resolve.js';
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

/**
 * What the fleet config names that this host cannot give: the host id, the password's variable,
 * the TLS files. One line each; `run` stops at the first (exit 78), `validate` lists them all.
 */
export async function fleetProblems(
  fleet: ResolvedFleet,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const problems: string[] = [];
  await fleetHostId(fleet.id).catch((error: unknown) => problems.push((error as Error).message));
  if (!('etcd' in fleet.backend)) return problems;
  const { passwordEnv, tls } = fleet.backend.etcd;
  if (passwordEnv && env[passwordEnv] === undefined) {
    problems.push(
      `fleet.etcd.password names ${passwordEnv}, which is not set in the environment: set it (systemd: EnvironmentFile=)`,
    );
  }
  for (const [name, path] of Object.entries(tls ?? {})) {
    await access(path, constants.R_OK).catch((error: unknown) =>
      problems.push(
        `fleet.etcd.tls.${name} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): fix the path or its permissions`,
      ),
    );
  }
  return problems;
}
