// How many hosts were between the start of a switch and their release at once, from a log of
// "start ID NS" and "end ID NS" lines (nanoseconds, `date +%s%N`) that switch and health
// commands append to. The fleet tests and benchmarks check slots with it.
export interface Overlap {
  /** The most hosts inside at any moment. */
  most: number;
  hosts: Set<string>;
  /** From the first start to the last end, in ms. */
  spanMs: number;
}

export function overlapOf(lines: string[]): Overlap {
  const events = lines.flatMap((line) => {
    const [kind, id, ns] = line.trim().split(' ');
    return kind && id && ns ? [{ at: BigInt(ns), delta: kind === 'start' ? 1 : -1, id }] : [];
  });
  // At equal times an end comes before a start: touching intervals do not overlap.
  events.sort((a, b) => (a.at === b.at ? a.delta - b.delta : a.at < b.at ? -1 : 1));
  let current = 0;
  let most = 0;
  for (const event of events) {
    current += event.delta;
    most = Math.max(most, current);
  }
  const first = events[0]?.at ?? 0n;
  const last = events.at(-1)?.at ?? 0n;
  return {
    most,
    hosts: new Set(events.map((event) => event.id)),
    spanMs: Number((last - first) / 1_000_000n),
  };
}
