// Slots from a FleetLock server (Zincati's protocol, docs/development/fleetlock/protocol.md in
// coreos/zincati): POST URL/v1/pre-reboot takes a slot, POST URL/v1/steady-state releases it,
// both recursive and owned by the client id. 200 is success; any other status is a failure whose
// `{ "kind", "value" }` body is shown. So a fleet can use the airlock or fleetlock it already runs.
import {
  CoordinatorUnavailable,
  pause,
  type Coordinator,
  type SlotRequest,
  type TakeAttempt,
} from './coordinator.js';

export interface FleetLockSpec {
  url: string;
  timeoutMs: number;
}

/** The server's answer to one request. */
interface Answer {
  ok: boolean;
  /** "kind: value" from the error body, or the bare status. */
  reason: string;
}

export function openFleetLock(spec: FleetLockSpec): Coordinator {
  const base = spec.url.replace(/\/+$/, '');
  // The origin only: a base path or query may carry a token.
  const where = `FleetLock ${origin(spec.url)}`;

  const post = async (path: string, id: string, group: string): Promise<Answer> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'fleet-lock-protocol': 'true', 'content-type': 'application/json' },
        body: JSON.stringify({ client_params: { id, group } }),
        redirect: 'error',
        signal: AbortSignal.timeout(spec.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const timedOut = (error as Error).name === 'TimeoutError';
      const why = timedOut
        ? `no answer within ${spec.timeoutMs / 1000} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
      // A request that timed out may have been served: the slot may be held.
      throw new CoordinatorUnavailable(`${where}: POST ${path}: ${why}`, timedOut);
    }
    const text = await response.text().catch(() => '');
    if (response.status === 200) return { ok: true, reason: '' };
    let reason = `HTTP ${response.status}`;
    try {
      const body = JSON.parse(text) as { kind?: unknown; value?: unknown };
      if (typeof body.kind === 'string' && typeof body.value === 'string') {
        reason = `${body.kind}: ${body.value}`;
      }
    } catch {
      // Not a protocol error body (a proxy's page, say): the status is all there is to show.
    }
    if (response.status >= 500 && !reason.includes(':')) {
      throw new CoordinatorUnavailable(`${where}: POST ${path}: ${reason}`);
    }
    return { ok: false, reason };
  };

  return {
    where,
    tryTake: async (request: SlotRequest): Promise<TakeAttempt> => {
      const answer = await post('/v1/pre-reboot', request.id, request.group);
      // The protocol does not tell a new lock from a recursive one.
      return answer.ok ? { taken: true, already: false } : { taken: false, reason: answer.reason };
    },
    release: async (id: string, group: string) => {
      const answer = await post('/v1/steady-state', id, group);
      if (!answer.ok) {
        throw new CoordinatorUnavailable(
          `${where}: POST /v1/steady-state refused: ${answer.reason}`,
        );
      }
      return true;
    },
    waitForChange: (_group, ms, signal) => pause(Math.min(ms, 2000), signal),
    close: () => Promise.resolve(),
  };
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
