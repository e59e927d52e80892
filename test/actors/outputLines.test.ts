// Cutting output into lines on raw chunks, and keeping the last lines: property-checked against
// the plain split of everything at once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasControlBytes, lineSplitter, OutputTail } from '../../src/actors/outputLines.js';

/** The log's own check (src/log.ts), on decoded text. */
/** What the log strips (src/sanitize.ts): a block said to be clean has none of it. */
const controlCharacter = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** The bytes the fast check stops at: C0 but tab and newline, DEL, and the lead bytes 0xC2, 0xE2. */
const flaggedByte = /[\u0000-\u0008\u000b-\u001f\u007f\u00c2\u00e2]/;

describe('lineSplitter and OutputTail', () => {
  it('give the same lines as splitting the whole output, however it is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'é', '\n', 'xyz', '\n\n', '€', '\u001b[1m', '\t'), {
          maxLength: 60,
        }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 5 }),
        (pieces, cuts, keep) => {
          const text = pieces.join('');
          const bytes = Buffer.from(text);
          const blocks: string[] = [];
          const tail = new OutputTail(keep);
          const splitter = lineSplitter({
            lines: (block, clean) => {
              blocks.push(block);
              tail.add(block);
              // A block said to be clean never holds what the log would have to strip.
              if (clean) expect(controlCharacter.test(block), JSON.stringify(block)).toBe(false);
            },
          });
          // Cut the bytes anywhere, multi-byte characters included.
          let at = 0;
          for (let index = 0; at < bytes.length; index += 1) {
            const size = cuts[index % cuts.length] ?? 1;
            splitter.write(bytes.subarray(at, at + size));
            at += size;
          }
          splitter.end();
          const expected = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
          const lines = text === '' ? [] : expected;
          expect(blocks.flatMap((block) => block.split('\n'))).toEqual(lines);
          expect(tail.lines()).toEqual(lines.slice(-keep));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('says plain text is clean, so the log need not look at it again, and text with escapes is not', () => {
    const blocks: [string, boolean][] = [];
    const splitter = lineSplitter({ lines: (block, clean) => blocks.push([block, clean]) });
    splitter.write(Buffer.from('first\nsecond'));
    splitter.write(Buffer.from(' half\n'));
    splitter.write(Buffer.from('\u001b[1mbold\u001b[0m\n'));
    splitter.write(Buffer.from('plain again\nlast'));
    splitter.end();
    expect(blocks).toEqual([
      ['first', true],
      ['second half', true],
      ['\u001b[1mbold\u001b[0m', false],
      ['plain again', true],
      ['last', true],
    ]);
  });

  it('passes on a line longer than 64 KiB before its newline comes, losing nothing', () => {
    const blocks: string[] = [];
    const splitter = lineSplitter({ lines: (block) => blocks.push(block) });
    const long = 'x'.repeat(70 * 1024);
    splitter.write(Buffer.from(long.slice(0, 40 * 1024)));
    expect(blocks).toEqual([]);
    splitter.write(Buffer.from(long.slice(40 * 1024)));
    expect(blocks).toEqual([long]);
    splitter.write(Buffer.from('tail\n'));
    splitter.end();
    expect(blocks).toEqual([long, 'tail']);
  });

  it('finds a control byte exactly where the log check would, at any alignment', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 0, max: 7 }),
        fc.nat(255),
        (bytes, offset, printable) => {
          // Mostly printable text (control bytes are rare in real output), at a given offset
          // into its memory, so the word-at-a-time part meets every alignment.
          const mostlyText = bytes.map((byte) =>
            byte < 0x30 || byte >= 0x7f ? byte : 0x20 + (printable % 95),
          );
          const memory = new Uint8Array(offset + mostlyText.length);
          memory.set(mostlyText, offset);
          const chunk = Buffer.from(memory.buffer, offset, mostlyText.length);
          expect(hasControlBytes(chunk)).toBe(flaggedByte.test(chunk.toString('latin1')));
        },
      ),
      { numRuns: 2000 },
    );
    expect(hasControlBytes(Buffer.from('plain text\twith a tab\n'))).toBe(false);
    expect(hasControlBytes(Buffer.from('0123456789abcdef\u007f'))).toBe(true);
    expect(hasControlBytes(Buffer.from('0123456789abcdef\r\n'))).toBe(true);
    // C1 controls and bidi marks are multi-byte in UTF-8: their lead bytes are stopped at.
    expect(hasControlBytes(Buffer.from('0123456789abcdef\u009b'))).toBe(true);
    expect(hasControlBytes(Buffer.from('0123456789abcdef\u202e'))).toBe(true);
  });
});
