// How a run moved the Nix system profile, in words: for the summary, status and history.
/** "generation 41 -> 42", "back on generation 41", "generation 41 (unchanged)". */
export function describeGenerations(
  saved: { generation: number } | undefined,
  final: { generation: number } | undefined,
  /** The system was rolled back. */
  reverted = false,
): string | undefined {
  if (!saved && !final) return undefined;
  if (!saved) return `generation ${final?.generation ?? '?'}`;
  if (!final) return `generation ${saved.generation} -> unknown (the profile cannot be read)`;
  if (saved.generation !== final.generation)
    return `generation ${saved.generation} -> ${final.generation}`;
  return reverted
    ? `back on generation ${saved.generation}`
    : `generation ${saved.generation} (unchanged)`;
}
