// A real etcd (Debian's etcd-server) on 127.0.0.1 with free ports and a temp data dir: one member,
// or a cluster of three (startEtcdCluster), what the fleet tests and benchmarks coordinate
// through. A member can be stopped and started again on the same ports and data, or paused
// (SIGSTOP: a hung member that still holds its connections).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:40123. */
  endpoint: string;
  dataDir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP and SIGCONT: the member hangs, its sockets open. */
  pause(): void;
  resume(): void;
  /** Stops it and removes its data. */
  dispose(): Promise<void>;
}

export interface EtcdCluster {
  endpoints: string[];
  members: EtcdServer[];
  /** The member that leads now (asked of each member's status endpoint). */
  leader(): Promise<EtcdServer | undefined>;
  dispose(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const answer = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    return answer.ok && ((await answer.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

export async function startEtcd(binary = 'etcd'): Promise<EtcdServer> {
  const [member] = await membersOn(1);
  const server = member as Ports;
  const started = await memberOf(binary, server, `xs-upgrade-test=${server.peer}`);
  await started.start();
  return started;
}

/** A cluster of three members on loopback, all started (and healthy) before it returns. */
export async function startEtcdCluster(binary = 'etcd'): Promise<EtcdCluster> {
  const ports = await membersOn(3);
  const initial = ports.map((member) => `${member.name}=${member.peer}`).join(',');
  const members = await Promise.all(ports.map((member) => memberOf(binary, member, initial)));
  await Promise.all(members.map((member) => member.start()));
  return {
    endpoints: members.map((member) => member.endpoint),
    members,
    leader: async () => {
      for (const member of members) {
        const answer = await fetch(`${member.endpoint}/v3/maintenance/status`, {
          method: 'POST',
          body: '{}',
          signal: AbortSignal.timeout(2000),
        }).catch(() => undefined);
        const status = (await answer?.json().catch(() => undefined)) as
          { leader?: string; header?: { member_id?: string } } | undefined;
        if (status?.leader && status.leader === status.header?.member_id) return member;
      }
      return undefined;
    },
    dispose: async () => {
      for (const member of members) member.resume();
      await Promise.all(members.map((member) => member.dispose()));
    },
  };
}

interface Ports {
  name: string;
  endpoint: string;
  peer: string;
}

async function membersOn(count: number): Promise<Ports[]> {
  // Each free port is closed again before the next is asked for, so the OS may hand out the same
  // number twice: take distinct ones (a cluster given one URL twice will not start).
  const taken = new Set<number>();
  const distinctPort = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const ports: Ports[] = [];
  for (let index = 0; index < count; index += 1) {
    ports.push({
      name: count === 1 ? 'xs-upgrade-test' : `xs-upgrade-${index}`,
      endpoint: `http://127.0.0.1:${await distinctPort()}`,
      peer: `http://127.0.0.1:${await distinctPort()}`,
    });
  }
  return ports;
}

async function memberOf(binary: string, ports: Ports, initialCluster: string): Promise<EtcdServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'xs-upgrade-etcd-'));
  const { endpoint, peer, name } = ports;
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    // Already running: one member per data dir and port.
    if (child && child.exitCode === null && child.signalCode === null) return;
    output = '';
    const started = spawn(
      binary,
      [
        `--name=${name}`,
        `--data-dir=${join(dataDir, 'data')}`,
        `--listen-client-urls=${endpoint}`,
        `--advertise-client-urls=${endpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-token=xs-upgrade-test',
        '--log-level=error',
        '--logger=zap',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = started;
    started.stderr?.on(
      'data',
      (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)),
    );
    const spawnError = new Promise<never>((_resolve, reject) =>
      started.once('error', (error) =>
        reject(new Error(`cannot start ${binary}: ${error.message}`)),
      ),
    );
    const deadline = Date.now() + 30_000;
    const ready = (async () => {
      while (Date.now() < deadline) {
        if (started.exitCode !== null) {
          throw new Error(`etcd exited with ${started.exitCode}: ${output.trim()}`);
        }
        if (await healthy(endpoint)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`etcd did not become healthy within 30 s: ${output.trim()}`);
    })();
    await Promise.race([ready, spawnError]);
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  return {
    endpoint,
    dataDir,
    start,
    stop,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    dispose: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
