// Cutting output into lines on raw chunks, and keeping the last lines: property-checked against
// the plain split of everything at once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineSplitter, OutputTail } from '../../src/actors/outputLines.js';

describe('lineSplitter and OutputTail', () => {
  it('give the same lines as splitting the whole output, however it is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'é', '\n', 'xyz', '\n\n', '€'), { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 5 }),
        (pieces, cuts, keep) => {
          const text = pieces.join('');
          const bytes = Buffer.from(text);
          const blocks: string[] = [];
          const tail = new OutputTail(keep);
          const splitter = lineSplitter({
            lines: (block) => {
              blocks.push(block);
              tail.add(block);
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
});
