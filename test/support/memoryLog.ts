// A Log that keeps lines in memory, for asserting on what a real step printed.
import type { Log } from '../../src/log.js';

export function memoryLog(): Log & { lines: string[]; output_: [string, string][] } {
  const lines: string[] = [];
  const output_: [string, string][] = [];
  return {
    lines,
    output_,
    state: (name) => lines.push(`state ${name}`),
    info: (message) => lines.push(message),
    warn: (message) => lines.push(`warning: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
    report: (_level, message) => lines.push(message),
    flush: () => undefined,
    output: (step, block) => {
      for (const line of block.split('\n')) {
        output_.push([step, line]);
        lines.push(`[${step}] ${line}`);
      }
    },
  };
}
