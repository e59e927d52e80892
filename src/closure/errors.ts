// How closure trouble reaches the machine, as flags its guards read (DESIGN.md, "Exit codes"):
// refused before anything changed (unsigned, not a system, no room, nothing published with
// fallback "fail": aborted, exit 3), or a passing trouble (a cache or the source unreachable:
// exit 75, nothing moved, the commits not held against the host).

/** Refused before any repo moved: result `aborted` (exit 3). */
export class ClosureRefused extends Error {
  /** The pull's error flag for the machine's `refusedBeforeChange` guard. */
  readonly refused = true;
  constructor(
    message: string,
    readonly next: string,
  ) {
    super(message);
    this.name = 'ClosureRefused';
  }
}

/** A cache or the closure source could not be reached: try again later. */
export class ClosureUnavailable extends Error {
  readonly temporary = true;
  constructor(
    message: string,
    readonly next = 'nothing to do: the next run tries again; check the substituters and the closure source if it lasts',
  ) {
    super(message);
    this.name = 'ClosureUnavailable';
  }
}
