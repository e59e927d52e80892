// A CommonJS package loaded by `import()`: Node gives its exports as named exports, but the
// esbuild bundle (scripts/bundle.mjs) gives them only as `default`. Either way, the exports.
export function exportsOf<T extends object>(loaded: T, name: keyof T): T {
  if (loaded[name] !== undefined) return loaded;
  return (loaded as unknown as { default: T }).default;
}
