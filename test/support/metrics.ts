// Reads one sample of a Prometheus text file: the value of a series line, never a HELP text that
// happens to contain the same words.
export function sample(text: string, series: string): number | undefined {
  const line = text
    .split('\n')
    .find((candidate) => !candidate.startsWith('#') && candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
