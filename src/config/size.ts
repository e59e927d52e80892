// Sizes in the config ("1GiB", "500MB", "2G", "4096"): bytes. K, M, G and T are powers of 1024
// with or without "i" (what df -h and Nix print), "B" alone is bytes; the schema checks the shape.
const units: Record<string, number> = {
  '': 1,
  B: 1,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
};

export function parseSize(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?) *([KMGT]?)(?:i?B)?$/.exec(text.trim());
  if (!match) throw new Error(`not a size: ${JSON.stringify(text)} (e.g. "1GiB", "500MB")`);
  return Math.round(Number(match[1]) * (units[match[2] ?? ''] ?? 1));
}

/** Bytes as a person reads them: "1.5 GiB", "320 MiB", "900 B". */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= size) return `${(bytes / size).toFixed(bytes >= 10 * size ? 0 : 1)} ${unit}`;
  }
  return `${bytes} B`;
}
