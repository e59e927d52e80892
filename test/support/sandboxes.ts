// Sandbox hosts and servers a test file made, removed after each test.
import { rm } from 'node:fs/promises';
import { afterEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../demo/sandbox.js';

export function useSandboxes() {
  const sandboxes: Sandbox[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    await Promise.all(
      sandboxes.splice(0).map((sandbox) => rm(sandbox.dir, { recursive: true, force: true })),
    );
  });
  return {
    /** A new sandbox host, with host.json rewritten from these options. */
    async sandbox(
      config: Record<string, unknown> = {},
      options: { nix?: boolean } = {},
    ): Promise<Sandbox> {
      const sandbox = await createSandbox(options);
      sandboxes.push(sandbox);
      await sandbox.writeConfig(config);
      return sandbox;
    },
    /** Runs after the test, before the sandboxes go. */
    cleanup(cleanup: () => Promise<void>): void {
      cleanups.push(cleanup);
    },
  };
}
