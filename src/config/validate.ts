// Pure validation of a parsed config document: schema first, then the checks a schema cannot
// express. No file system access here (see checkRepos.ts), so it is cheap to test and fuzz.
import type { ErrorObject } from 'ajv';
import { readPackageJson } from '../packageFiles.js';
import { knownTimeZone } from './maintenanceWindow.js';
import { parseShare } from './share.js';
import type { Notification, Repo, XsUpgradeConfig } from './schema.generated.js';
// Precompiled from the schema at build time (ajv standalone): no ajv compile at start-up.
import validate from './schema.validator.generated.js';

const schema = readPackageJson('schemas/xs-upgrade.schema.json') as object;

/** A config after validation: every default filled in. */
export type ValidConfig = Omit<
  XsUpgradeConfig,
  'repos' | 'preUpdateHooks' | 'validationChecks' | 'notify' | 'healthChecks'
> &
  Required<
    Pick<
      XsUpgradeConfig,
      | 'mode'
      | 'schedule'
      | 'randomizedDelaySec'
      | 'fixedRandomDelay'
      | 'persistent'
      | 'stateDir'
      | 'buildBeforeSwitch'
      | 'onValidationFailure'
      | 'validationConcurrency'
      | 'fetchTimeout'
      | 'fetchRetries'
    >
  > & {
    repos: (Required<Pick<Repo, 'name' | 'path' | 'remote' | 'branch'>> & Repo)[];
    preUpdateHooks: NonNullable<XsUpgradeConfig['preUpdateHooks']>;
    validationChecks: NonNullable<XsUpgradeConfig['validationChecks']>;
    keepRuns: number;
    notify: (Required<Pick<Notification, 'on'>> & Notification)[];
    healthChecks: NonNullable<XsUpgradeConfig['healthChecks']>;
  };

export interface ValidationResult {
  config?: ValidConfig;
  /** One line per problem: "<JSON pointer>: <what was expected>". */
  errors: string[];
}

/** Schema errors looked at, and problems reported, at most. */
const maxSchemaErrors = 1000;
const maxProblems = 50;

export function validateConfig(document: unknown): ValidationResult {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return { errors: [`/: must be an object of options (got ${jsonType(document)})`] };
  }
  const tooDeep = firstTooDeep(document);
  if (tooDeep !== undefined) {
    return {
      errors: [
        `${tooDeep}: nested more than ${maxDepth} levels deep, which no option is: fix the document`,
      ],
    };
  }
  // useDefaults writes into the document: work on a copy so the caller's value is left as it was.
  const candidate = structuredClone(document) as Record<string, unknown>;
  if (!validate(candidate)) {
    // A huge list of bad values yields tens of thousands of schema errors: nobody reads more than
    // the first screenful, and collapsing them all would take minutes (found by fuzzing).
    const raw = validate.errors ?? [];
    const lines = dedupe(describeSchemaErrors(raw.slice(0, maxSchemaErrors)));
    const more = raw.length > maxSchemaErrors || lines.length > maxProblems;
    return {
      errors: more
        ? [
            ...lines.slice(0, maxProblems),
            `/: more problems not shown: fix the ones above, then validate again`,
          ]
        : lines,
    };
  }
  const config = candidate as ValidConfig;
  config.repos ??= [];
  config.preUpdateHooks ??= [];
  config.validationChecks ??= [];
  config.notify ??= [];
  config.healthChecks ??= [];
  const errors = [
    ...duplicateRepoProblems(config),
    ...timeZoneProblems(config),
    ...closureProblems(config),
    ...followProblems(config),
  ];
  return errors.length > 0 ? { errors } : { config, errors };
}

/** Deeper than any config: copying or checking such a document would overflow the stack. */
const maxDepth = 64;

/** The JSON pointer of the first value nested deeper than `maxDepth`, found without recursion. */
function firstTooDeep(document: unknown): string | undefined {
  const pending: { value: unknown; pointer: string; depth: number }[] = [
    { value: document, pointer: '', depth: 0 },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > maxDepth) return next.pointer || '/';
    if (next.value === null || typeof next.value !== 'object') continue;
    for (const [key, child] of Object.entries(next.value)) {
      pending.push({
        value: child,
        pointer: `${next.pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        depth: next.depth + 1,
      });
    }
  }
  return undefined;
}

function duplicateRepoProblems(config: ValidConfig): string[] {
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  config.repos.forEach((repo, index) => {
    const earlier = firstIndex.get(repo.name);
    if (earlier === undefined) firstIndex.set(repo.name, index);
    else
      problems.push(
        `/repos/${index}/name: repo name "${repo.name}" is already used by /repos/${earlier}: give each repo its own name`,
      );
  });
  return problems;
}

/**
 * Ajv reports every branch of an anyOf; a user wants the one branch their value was aiming at.
 * So for each anyOf we keep the errors of the branch whose JSON type matches the value, or, when
 * none does, one line saying which types are allowed.
 */
function describeSchemaErrors(errors: ErrorObject[]): string[] {
  let remaining = errors.filter((e) => e.keyword !== 'if');
  for (const anyOf of errors.filter((e) => e.keyword === 'anyOf')) {
    const branchSchemas = anyOf.schema as { type?: string; $ref?: string }[];
    const branches = branchSchemas.map(branchType);
    const chosen = branches.indexOf(jsonType(anyOf.data));
    const at = anyOf.instancePath;
    // A branch the value was not aiming at fails on its type alone (ajv checks a property, a
    // length or a pattern only on a value of the type they apply to), at the anyOf's own path. So
    // dropping those type errors leaves the chosen branch's errors. The branch's schema path cannot
    // say it: a branch compiled as a function of its own (a larger $ref) reports paths from its
    // own root ("#/type").
    const otherBranchType = (e: ErrorObject) =>
      e.keyword === 'type' &&
      e.instancePath === at &&
      branches.some(
        (type, index) => index !== chosen && type === (e.params as { type?: unknown }).type,
      );
    remaining = remaining.filter((e) => (e === anyOf ? chosen < 0 : !otherBranchType(e)));
    if (chosen < 0) anyOf.message = `must be ${listOf(branches.map(article))}`;
  }
  // A oneOf of required keys ("etcd" or "fleetLock"): one line naming them, for none or both.
  for (const oneOf of errors.filter((e) => e.keyword === 'oneOf')) {
    const keys = (oneOf.schema as { required?: string[] }[]).flatMap(
      (branch) => branch.required ?? [],
    );
    if (keys.length === 0) continue;
    remaining = remaining.filter(
      (e) => e === oneOf || !e.schemaPath.startsWith(`${oneOf.schemaPath}/`),
    );
    oneOf.message = `give exactly one of ${keys.map((key) => `"${key}"`).join(' or ')}`;
  }
  return remaining.map(describeSchemaError);
}

function branchType(branch: { type?: string; $ref?: string }): string {
  if (branch.type) return branch.type;
  const defs = (schema as { $defs: Record<string, { type?: string }> }).$defs;
  const name = branch.$ref?.replace('#/$defs/', '') ?? '';
  return defs[name]?.type ?? 'unknown';
}

function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const near = closest(unknown, allowed);
      return near
        ? `${where}: unknown option "${unknown}": did you mean "${near}"?`
        : `${where}: unknown option "${unknown}" (allowed: ${allowed.join(', ')})`;
    }
    case 'minProperties':
    case 'maxProperties': {
      // A secret reference: one key, naming where the secret is.
      const keys = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      return `${where}: give exactly one of ${keys.map((key) => `"${key}"`).join(' or ')}`;
    }
    case 'dependentRequired':
      return `${where}: "${String(params.property)}" needs "${String(params.missingProperty)}" too: add it, or remove "${String(params.property)}"`;
    case 'required':
      return `${where}: missing required option "${String(params.missingProperty)}"`;
    case 'enum':
      return `${where}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(error.data)})`;
    case 'not':
      return `${where}: ${(error.parentSchema as { description?: string }).description ?? 'not allowed here'}`;
    case 'type': {
      // A bare number where a duration goes: say how to write it, not only that it is not a string.
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      if (typeof error.data === 'number' && description?.startsWith('A duration')) {
        return `${where}: must be a duration string with its unit (got the number ${error.data}): write "${error.data}s" for seconds, or "${error.data}m", "${error.data}ms"`;
      }
      return `${where}: must be ${article(String(params.type))} (got ${jsonType(error.data)})`;
    }
    case 'pattern':
      return `${where}: ${JSON.stringify(error.data)} is not valid: ${patternHint(error)}`;
    default:
      return `${where}: ${error.message ?? 'is not valid'}`;
  }
}

function patternHint(error: ErrorObject): string {
  const description = (error.parentSchema as { description?: string }).description;
  return description ?? `must match ${String((error.params as { pattern: string }).pattern)}`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function article(type: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    array: 'an array',
    object: 'an object',
    boolean: 'true or false',
    integer: 'a whole number',
    number: 'a number',
  };
  return names[type] ?? type;
}

function listOf(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}

/** The allowed name a typo most likely meant: same letters in another case, or at most 2 edits. */
function closest(name: string, allowed: string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance =
      candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (
      distance <= Math.min(2, Math.floor(candidate.length / 3)) &&
      (!best || distance < best.distance)
    )
      best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 3;
}

/** A time zone this host does not know would make every window check fail at run time. */
/** fleet.follow: waves that grow to 100%, gates with names of their own and a range that holds a value. */
function followProblems(config: ValidConfig): string[] {
  const follow = config.fleet?.follow;
  if (!follow) return [];
  const problems: string[] = [];
  for (const list of ['waves', 'gates'] as const) {
    if ((follow[list]?.length ?? 0) > 20) {
      problems.push(`/fleet/follow/${list}: more than 20: no rollout needs that many`);
    }
  }
  const shares = (follow.waves ?? []).map((wave) => parseShare(wave.share));
  shares.forEach((share, index) => {
    if (share <= 0) {
      problems.push(`/fleet/follow/waves/${index}/share: must be more than 0%`);
    } else if (index > 0 && share <= (shares[index - 1] ?? 0)) {
      problems.push(
        `/fleet/follow/waves/${index}/share: must be larger than the wave before it (${follow.waves?.[index - 1]?.share ?? ''})`,
      );
    }
  });
  if (shares.length > 0 && shares.at(-1) !== 1) {
    problems.push(
      `/fleet/follow/waves/${shares.length - 1}/share: the last wave must be "100%", or the rollout would never reach the rest of the group`,
    );
  }
  const names = new Set<string>();
  (follow.gates ?? []).forEach((gate, index) => {
    if (names.has(gate.name)) {
      problems.push(
        `/fleet/follow/gates/${index}/name: "${gate.name}" names two gates: give each its own`,
      );
    }
    names.add(gate.name);
    if ((gate.command === undefined) === (gate.prometheus === undefined)) {
      problems.push(`/fleet/follow/gates/${index}: give exactly one of "command" and "prometheus"`);
    }
    const { min, max } = gate.prometheus ?? {};
    if (gate.prometheus && min === undefined && max === undefined) {
      problems.push(
        `/fleet/follow/gates/${index}/prometheus: give "min", "max" or both: the range a value must lie in to pass`,
      );
    }
    if (min !== undefined && max !== undefined && min > max) {
      problems.push(
        `/fleet/follow/gates/${index}/prometheus: min ${min} is above max ${max}: no value could pass`,
      );
    }
  });
  return problems;
}

/** system.closure names where the store path comes from in exactly one way, and needs repos. */
function closureProblems(config: ValidConfig): string[] {
  const closure = config.system?.closure;
  if (!closure) return [];
  const problems: string[] = [];
  if ((closure.command === undefined) === (closure.url === undefined)) {
    problems.push(
      '/system/closure: give exactly one of "command" and "url", the source of the store path for the pulled commits',
    );
  }
  if (config.mode === 'remote') {
    problems.push(
      '/system/closure: needs mode "local": the closure is looked up by the commits the repos are pulled to',
    );
  }
  return problems;
}

function timeZoneProblems(config: ValidConfig): string[] {
  const windows =
    config.window === undefined
      ? []
      : Array.isArray(config.window)
        ? config.window
        : [config.window];
  return windows.flatMap((window, index) => {
    const zone = window.timeZone;
    if (zone === undefined || knownTimeZone(zone)) return [];
    const where = Array.isArray(config.window) ? `/window/${index}/timeZone` : '/window/timeZone';
    return [
      `${where}: unknown time zone ${JSON.stringify(zone)} (use an IANA name such as "Europe/Berlin")`,
    ];
  });
}
