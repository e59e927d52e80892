// A FleetLock server written to Zincati's protocol document (coreos/zincati,
// docs/development/fleetlock/protocol.md): POST /v1/pre-reboot takes a slot, POST
// /v1/steady-state releases it, both recursive and owned by the client id, with a counting
// semaphore per group. It keeps its state in memory: for tests and benchmarks, not for a fleet
// (which runs airlock or fleetlock).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FleetLockServer {
  url: string;
  /** Group name to the ids holding its slots. */
  holders: Map<string, Set<string>>;
  /** Every request: path, id and group, and the status answered. */
  requests: { path: string; id?: string; group?: string; status: number }[];
  close(): Promise<void>;
}

const groupPattern = /^[a-zA-Z0-9.-]+$/;

export async function startFleetLockServer(slots = 1): Promise<FleetLockServer> {
  const holders = new Map<string, Set<string>>();
  const requests: FleetLockServer['requests'] = [];
  const answer = (response: ServerResponse, status: number, kind?: string, value?: string) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(kind ? JSON.stringify({ kind, value }) : '{}');
    return status;
  };
  const serve = (request: IncomingMessage, body: string, response: ServerResponse): number => {
    const path = request.url ?? '';
    if (request.method !== 'POST' || !['/v1/pre-reboot', '/v1/steady-state'].includes(path)) {
      return answer(response, 404, 'not_found', `no such endpoint: ${request.method} ${path}`);
    }
    if (request.headers['fleet-lock-protocol'] !== 'true') {
      return answer(response, 400, 'missing_header', 'missing "fleet-lock-protocol: true"');
    }
    let params: { id?: unknown; group?: unknown } | undefined;
    try {
      params = (JSON.parse(body) as { client_params?: typeof params }).client_params;
    } catch {
      return answer(response, 400, 'invalid_body', 'the body is not JSON');
    }
    const id = typeof params?.id === 'string' ? params.id : '';
    const group = typeof params?.group === 'string' ? params.group : '';
    if (!id || !groupPattern.test(group)) {
      return answer(
        response,
        400,
        'invalid_client_params',
        'id must be set, group must match ^[a-zA-Z0-9.-]+$',
      );
    }
    const held = holders.get(group) ?? new Set<string>();
    holders.set(group, held);
    if (path === '/v1/steady-state') {
      held.delete(id);
      return answer(response, 200);
    }
    if (held.has(id)) return answer(response, 200);
    if (held.size >= slots) {
      return answer(
        response,
        409,
        'failed_lock_semaphore_full',
        'semaphore currently full, all slots are locked already',
      );
    }
    held.add(id);
    return answer(response, 200);
  };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const status = serve(request, body, response);
      let params: { id?: string; group?: string } = {};
      try {
        params = (JSON.parse(body) as { client_params?: typeof params }).client_params ?? {};
      } catch {
        // Recorded without id and group.
      }
      requests.push({ path: request.url ?? '', ...params, status });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    holders,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
