// Errors a user can act on. Each carries the exit code the CLI ends with (DESIGN.md, "Exit codes");
// `process.exit` happens only in src/cli/main.ts.

export const ExitCode = {
  done: 0,
  aborted: 3,
  rolledBack: 4,
  rollbackFailed: 5,
  usage: 64,
  internal: 70,
  /** Permission denied: the state dir (or another file the run needs) is not this user's. */
  permission: 77,
  /** Temporary: another run holds the lock, or the network failed with nothing moved. */
  temporary: 75,
  config: 78,
} as const;

export class XsUpgradeError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A config that must not start a run; `problems` holds one line per problem. */
export class ConfigError extends XsUpgradeError {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'), ExitCode.config);
  }
}

/** A bad command line. */
export class UsageError extends XsUpgradeError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** Turns anything thrown into one line of text, without a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
