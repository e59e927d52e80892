// A group's slots, as etcd's own semaphore recipe keeps them: every host that wants a slot puts
// a claim key of its own (PREFIX/slots/GROUP/claims/ID), and claims are served in the order they
// were created (their create revision). A claim is first put under a lease, so a host that dies
// while waiting drops out of the queue; once it is inside the limit it is made permanent (no
// lease), so a host that dies holding its slot keeps it: a host that crashed mid-switch must stop
// the rollout. Nobody changes another host's claim; only an operator removes one. Pure.

/** One host's claim, as read from the store. */
export interface Claim {
  id: string;
  createRevision: bigint;
  /** Made permanent: the host holds a slot. */
  holding: boolean;
  /** When it claimed (the host's clock), and what it applies, for `fleet status`. */
  since: string;
  commits?: Record<string, string>;
}

/** One host holding a slot. */
export interface SlotHolder {
  id: string;
  since: string;
  commits?: Record<string, string>;
}

export interface Semaphore {
  group: string;
  slots: number;
  holders: SlotHolder[];
  /** Hosts in the queue behind them, first first. */
  waiting?: SlotHolder[];
}

/** A group nobody has sized yet has one slot: the safest rollout. */
export const defaultSlots = 1;

export function emptySemaphore(group: string): Semaphore {
  return { group, slots: defaultSlots, holders: [] };
}

const byCreation = (a: Claim, b: Claim) =>
  a.createRevision < b.createRevision ? -1 : a.createRevision > b.createRevision ? 1 : 0;

const holderOf = ({ id, since, commits }: Claim): SlotHolder => ({
  id,
  since,
  ...(commits ? { commits } : {}),
});

/**
 * Who holds a slot and who waits: the permanent claims hold; the earliest waiting claims fill
 * what is left of the limit (a limit lowered below the holders frees nothing until they go).
 */
export function semaphoreOf(group: string, slots: number, claims: Claim[]): Semaphore {
  const sorted = [...claims].sort(byCreation);
  const holding = sorted.filter((claim) => claim.holding);
  const queued = sorted.filter((claim) => !claim.holding);
  const free = Math.max(0, slots - holding.length);
  return {
    group,
    slots,
    holders: [...holding, ...queued.slice(0, free)].map(holderOf),
    ...(queued.length > free ? { waiting: queued.slice(free).map(holderOf) } : {}),
  };
}

/** Whether the waiting claim `id` is inside the limit: the claims ahead of it leave it room. */
export function mayHold(claims: Claim[], slots: number, id: string): boolean {
  const own = claims.find((claim) => claim.id === id);
  if (!own) return false;
  if (own.holding) return true;
  const holding = claims.filter((claim) => claim.holding).length;
  const ahead = claims.filter((claim) => !claim.holding && byCreation(claim, own) < 0).length;
  return ahead < slots - holding;
}

/** "both slots are held: web-1 (since 04:00:12Z), web-2 (since 04:01:40Z)". */
export function describeHolders(slots: number, holders: { id: string; since: string }[]): string {
  if (slots === 0)
    return 'the group has 0 slots (rollout paused with `xs-upgrade fleet set-slots`)';
  const who = holders.map((holder) => `${holder.id} (since ${holder.since})`).join(', ');
  return `${slots === 1 ? 'its one slot is' : `all ${slots} slots are`} held: ${who}`;
}
