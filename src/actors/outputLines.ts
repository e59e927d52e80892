// A step's output, cut into lines on raw chunks: each chunk that arrives is decoded once, its
// complete lines go to the log as one block (one prefix per line, one write per block), and only
// the last lines are kept for the failure summary. A line-by-line generator cost a function call,
// a string and a write per line: 0.03-0.05 of direct speed on a build that prints gigabytes.
import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is cut: a program printing one endless line must not fill memory. */
const longestLine = 64 * 1024;

export interface OutputSink {
  /**
   * Complete lines, joined by "\n", without a final newline. `clean`: the block is known to hold
   * no control character the log strips, so the log need not look for one.
   */
  lines(block: string, clean: boolean): void;
}

/**
 * The bytes that may start what the log strips from output (src/sanitize.ts): C0 controls but tab
 * and newline, and DEL; and 0xC2 and 0xE2, the UTF-8 lead bytes of the C1 controls and of the bidi
 * marks (also of common letters and punctuation: those blocks just take the careful path).
 */
const isControl = (byte: number) =>
  (byte < 0x20 && byte !== 0x0a && byte !== 0x09) ||
  byte === 0x7f ||
  byte === 0xc2 ||
  byte === 0xe2;

/**
 * Whether a chunk holds a control byte, looked for four bytes at a time: the log's own check, a
 * regular expression over the decoded text, ran at 0.5 GB/s and was the largest single cost of a
 * build's output; this runs at 1.3 GB/s. In UTF-8 a byte below 0x80 is always the character
 * itself, so the answer is the same for the bytes as for the text.
 */
export function hasControlBytes(chunk: Uint8Array): boolean {
  const end = chunk.byteLength;
  let index = 0;
  // Bytes one at a time up to a 4-byte boundary of the underlying memory, and after the last one.
  while (index < end && (chunk.byteOffset + index) % 4 !== 0) {
    if (isControl(chunk[index] ?? 0)) return true;
    index += 1;
  }
  const words = Math.floor((end - index) / 4);
  // (A chunk shorter than the way to the boundary has no words, and no aligned start either.)
  const view = words > 0 ? new Uint32Array(chunk.buffer, chunk.byteOffset + index, words) : [];
  for (let word = 0; word < words; word += 1) {
    const x = view[word] ?? 0;
    const del = x ^ 0x7f7f7f7f;
    const c2 = x ^ 0xc2c2c2c2;
    const e2 = x ^ 0xe2e2e2e2;
    // Some byte below 0x20, or some byte equal to 0x7f, 0xc2 or 0xe2 (a zero byte in x ^ that):
    // the classic "has less than" and "has zero" tests on a 32-bit word. Newlines hit too, so a
    // hit is looked at byte by byte.
    if (
      ((x - 0x20202020) & ~x & 0x80808080) |
      ((del - 0x01010101) & ~del & 0x80808080) |
      ((c2 - 0x01010101) & ~c2 & 0x80808080) |
      ((e2 - 0x01010101) & ~e2 & 0x80808080)
    ) {
      const at = index + word * 4;
      for (let byte = at; byte < at + 4; byte += 1) if (isControl(chunk[byte] ?? 0)) return true;
    }
  }
  for (index += words * 4; index < end; index += 1) if (isControl(chunk[index] ?? 0)) return true;
  return false;
}

/** Feeds one stream's chunks; `end()` passes on a last line that had no newline. */
export function lineSplitter(sink: OutputSink) {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let restClean = true;
  const take = (text: string, clean: boolean) => {
    const all = rest + text;
    const cut = all.lastIndexOf('\n');
    if (cut === -1) {
      rest = all;
      restClean &&= clean;
    } else {
      sink.lines(all.slice(0, cut), restClean && clean);
      rest = all.slice(cut + 1);
      // Nothing left over is clean, whatever the chunk held before its last newline.
      restClean = rest === '' || clean;
    }
    if (rest.length > longestLine) {
      sink.lines(rest, restClean);
      rest = '';
      restClean = true;
    }
  };
  return {
    write: (chunk: Buffer | string) =>
      typeof chunk === 'string'
        ? take(chunk, false)
        : take(decoder.write(chunk), !hasControlBytes(chunk)),
    end: () => {
      take(decoder.end(), true);
      if (rest !== '') sink.lines(rest, restClean);
      rest = '';
      restClean = true;
    },
  };
}

/** The last `count` lines of what a step printed, kept without splitting every block. */
export class OutputTail {
  private kept: string[] = [];
  constructor(private readonly count: number) {}

  add(block: string): void {
    // Only the end of a big block can matter: find where its last `count` lines start.
    let start = block.length;
    for (let found = 0; found < this.count; found += 1) {
      const at = start === 0 ? -1 : block.lastIndexOf('\n', start - 1);
      if (at === -1) {
        start = -1;
        break;
      }
      start = at;
    }
    this.kept = this.kept.concat(block.slice(start + 1).split('\n')).slice(-this.count);
  }

  lines(): string[] {
    return [...this.kept];
  }
}
