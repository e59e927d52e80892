#!/usr/bin/env node
// Part of `npm run lint`: imports in src/ point one way (no cycles, static, dynamic or type-only),
// and the runner's files stay small enough to read top to bottom (docs/architecture.md).
// Our own ~60 lines rather than madge or an eslint plugin: every import here is a relative ESM
// specifier with a literal string, so a regex reads them all, and no dependency is needed.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const importPattern =
  /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bexport\s+(?:type\s+)?[\w*{}\s,$]+?\s+from\s+|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Each file's relative imports, as files of the tree (`./x.js` is `./x.ts` where that exists). */
export function importGraph(root) {
  const files = sourceFiles(root);
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set();
    for (const match of text.matchAll(importPattern)) {
      const target = resolve(dirname(file), match[1]);
      const candidate = [target.replace(/\.js$/, '.ts'), target].find((path) => known.has(path));
      if (candidate) targets.add(candidate);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Every import cycle, each once, as a list of files (Tarjan's strongly connected components). */
export function importCycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  let next = 0;
  const visit = (file) => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file), low.get(target)));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file), index.get(target)));
    }
    if (low.get(file) !== index.get(file)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const selfImport = (graph.get(file) ?? []).includes(file);
    if (component.length > 1 || selfImport) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

/** Files over `maxLines` lines in `dir`. */
export function oversizedFiles(dir, maxLines) {
  return sourceFiles(dir).flatMap((file) => {
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    return lines > maxLines ? [{ file, lines }] : [];
  });
}

/** The problems of the tree at `root` (its src/), one line each. */
export function importProblems(root) {
  const src = join(root, 'src');
  const name = (file) => relative(root, file);
  return [
    ...importCycles(importGraph(src)).map(
      (cycle) =>
        `import cycle: ${cycle.map(name).join(' <-> ')}: move what they share into a file both import`,
    ),
    ...oversizedFiles(join(src, 'runner'), 300).map(
      ({ file, lines }) =>
        `${name(file)}: ${lines} lines, over the runner's 300: split it by what it does`,
    ),
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const problems = importProblems(root);
  for (const line of problems) console.error(line);
  if (problems.length > 0) process.exit(1);
  console.log('src/: no import cycles; src/runner/: no file over 300 lines');
}
