// How a run moved the Nix system profile, in the words the summary, status and history use.
import { describe, expect, it } from 'vitest';
import { describeGenerations } from '../../src/runner/generations.js';

const generation = (number: number) => ({ generation: number });

describe('describeGenerations', () => {
  it('says each way a run can leave the profile', () => {
    expect(describeGenerations(undefined, undefined)).toBeUndefined();
    expect(describeGenerations(undefined, generation(42))).toBe('generation 42');
    expect(describeGenerations(generation(41), undefined)).toBe(
      'generation 41 -> unknown (the profile cannot be read)',
    );
    expect(describeGenerations(generation(41), generation(42))).toBe('generation 41 -> 42');
    expect(describeGenerations(generation(41), generation(41))).toBe('generation 41 (unchanged)');
    expect(describeGenerations(generation(41), generation(41), true)).toBe('back on generation 41');
    // A rollback that did not get back is told as the move it left.
    expect(describeGenerations(generation(41), generation(42), true)).toBe('generation 41 -> 42');
  });
});
