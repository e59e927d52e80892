// A group's semaphore: how many hosts may be between the start of a switch and a healthy end at
// once, and which hosts are. The etcd backend stores it as one JSON document per group and changes
// it only by compare-and-swap, as locksmith and airlock do. Pure.
import { notA, parseStoredJson } from './storedJson.js';

/** One host holding a slot. */
export interface SlotHolder {
  id: string;
  /** When it took the slot (ISO time). */
  since: string;
  /** Repo name to the commit the host is applying, when it said. */
  commits?: Record<string, string>;
}

export interface Semaphore {
  group: string;
  slots: number;
  holders: SlotHolder[];
}

/** A group nobody has used yet starts with one slot: the safest rollout. */
export const defaultSlots = 1;

export function emptySemaphore(group: string): Semaphore {
  return { group, slots: defaultSlots, holders: [] };
}

/** Reads a stored document; anything that is not one is an error naming the key. */
export function parseSemaphore(group: string, text: string, where: string): Semaphore {
  const document = parseStoredJson(text, where) as Partial<Semaphore> | null;
  if (
    typeof document !== 'object' ||
    document === null ||
    !Number.isInteger(document.slots) ||
    (document.slots ?? -1) < 0 ||
    !Array.isArray(document.holders) ||
    !document.holders.every((holder) => typeof holder?.id === 'string')
  ) {
    throw notA('an xs-upgrade semaphore ({"slots": N, "holders": [...]})', where);
  }
  return { group, slots: document.slots as number, holders: document.holders };
}

export type TakeOutcome =
  | { taken: true; semaphore: Semaphore; already: boolean }
  | { taken: false; holders: SlotHolder[]; slots: number };

/**
 * Takes a slot for `holder.id`. Re-entrant: a host that already holds one keeps it (a run
 * recovering after a crash finds its own slot), with the commits it now applies.
 */
export function takeSlot(semaphore: Semaphore, holder: SlotHolder): TakeOutcome {
  const own = semaphore.holders.find((existing) => existing.id === holder.id);
  if (own) {
    const holders = semaphore.holders.map((existing) =>
      existing.id === holder.id
        ? { ...existing, ...(holder.commits ? { commits: holder.commits } : {}) }
        : existing,
    );
    return { taken: true, semaphore: { ...semaphore, holders }, already: true };
  }
  if (semaphore.holders.length >= semaphore.slots) {
    return { taken: false, holders: semaphore.holders, slots: semaphore.slots };
  }
  return {
    taken: true,
    semaphore: { ...semaphore, holders: [...semaphore.holders, holder] },
    already: false,
  };
}

/** Frees `id`'s slot; undefined when it held none (releasing is idempotent). */
export function releaseSlot(semaphore: Semaphore, id: string): Semaphore | undefined {
  if (!semaphore.holders.some((holder) => holder.id === id)) return undefined;
  return { ...semaphore, holders: semaphore.holders.filter((holder) => holder.id !== id) };
}

/** Changes the number of slots; holders beyond it keep theirs until they release. */
export function setSlots(semaphore: Semaphore, slots: number): Semaphore {
  return { ...semaphore, slots };
}

export function serializeSemaphore(semaphore: Semaphore): string {
  return JSON.stringify({ slots: semaphore.slots, holders: semaphore.holders });
}

/** "both slots are held: web-1 (since 04:00:12Z), web-2 (since 04:01:40Z)". */
export function describeHolders(slots: number, holders: { id: string; since: string }[]): string {
  if (slots === 0)
    return 'the group has 0 slots (rollout paused with `xs-upgrade fleet set-slots`)';
  const who = holders.map((holder) => `${holder.id} (since ${holder.since})`).join(', ');
  return `${slots === 1 ? 'its one slot is' : `all ${slots} slots are`} held: ${who}`;
}
