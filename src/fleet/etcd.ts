// Slots in etcd: one semaphore document per group at PREFIX/slots/GROUP, changed only by
// compare-and-swap (etcdStore.ts), so two hosts taking the last slot at once cannot both get it.
// No leases: a host that dies holding a slot keeps it, since a host that crashed mid-switch must
// stop the rollout.
import type { EtcdSpec } from '../config/resolve.js';
import type { Coordinator, SlotRequest, TakeAttempt } from './coordinator.js';
import { openEtcdStore, type DocumentKind } from './etcdStore.js';
import {
  describeHolders,
  emptySemaphore,
  parseSemaphore,
  releaseSlot,
  serializeSemaphore,
  setSlots,
  takeSlot,
  type Semaphore,
} from './semaphore.js';

export async function openEtcd(spec: EtcdSpec, env: NodeJS.ProcessEnv): Promise<Coordinator> {
  const store = await openEtcdStore(spec, env);
  const slotsPrefix = `${spec.prefix}/slots/`;
  const keyOf = (group: string) => `${slotsPrefix}${group}`;
  const kind: DocumentKind<Semaphore> = {
    parse: (text, key) => parseSemaphore(key.slice(slotsPrefix.length), text, key),
    empty: (key) => emptySemaphore(key.slice(slotsPrefix.length)),
    serialize: serializeSemaphore,
  };

  return {
    where: store.where,
    tryTake: (request: SlotRequest) =>
      store.update<Semaphore, TakeAttempt>(keyOf(request.group), kind, (semaphore) => {
        const outcome = takeSlot(semaphore, {
          id: request.id,
          since: new Date().toISOString(),
          ...(request.commits ? { commits: request.commits } : {}),
        });
        if (!outcome.taken) {
          return {
            result: { taken: false, reason: describeHolders(outcome.slots, outcome.holders) },
          };
        }
        return { next: outcome.semaphore, result: { taken: true, already: outcome.already } };
      }),
    release: (id: string, group: string) =>
      store.update(keyOf(group), kind, (semaphore) => {
        const next = releaseSlot(semaphore, id);
        return next ? { next, result: true } : { result: false };
      }),
    waitForChange: async (group, ms, signal) => {
      const { revision } = await store.read(keyOf(group), kind);
      await store.waitForChange(keyOf(group), revision, ms, signal);
    },
    status: async () => {
      const all = await store.readPrefix(slotsPrefix);
      return Object.entries(all)
        .map(([key, text]) => kind.parse(text, key))
        .sort((a, b) => a.group.localeCompare(b.group));
    },
    setSlots: (group: string, slots: number) =>
      store.update(keyOf(group), kind, (semaphore) => {
        const next = setSlots(semaphore, slots);
        return { next, result: next };
      }),
    close: () => store.close(),
  };
}
