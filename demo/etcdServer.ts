// A real, single-member etcd (Debian's etcd-server) on 127.0.0.1 with free ports and a temp data
// dir: what the fleet tests and benchmarks coordinate through. It can be stopped and started
// again on the same ports and data, as a cluster that goes away and comes back.
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
  /** Stops it and removes its data. */
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
  const dataDir = await mkdtemp(join(tmpdir(), 'xs-upgrade-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    // Already running: one member per data dir and port.
    if (child && child.exitCode === null && child.signalCode === null) return;
    output = '';
    const started = spawn(
      binary,
      [
        '--name=xs-upgrade-test',
        `--data-dir=${join(dataDir, 'data')}`,
        `--listen-client-urls=${endpoint}`,
        `--advertise-client-urls=${endpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=xs-upgrade-test=${peer}`,
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

  await start();
  return {
    endpoint,
    dataDir,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
