// The error a promise rejects with, checked to be of the kind a test expects (the test fails if
// the promise resolves instead).
import { expect } from 'vitest';

export async function rejectionOf<E>(
  promise: Promise<unknown>,
  kind: { prototype: E },
): Promise<E> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(kind);
  return caught as E;
}
