import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// The tests `npm run mutate:machine` (stryker.machine.config.mjs) runs against each mutant of the
// machine: the ones that import it. Nearly every machine mutant is "static" (it changes the
// definition, built when the module loads), so Stryker runs all of these for each one, stopping
// at the first failure. Hence the order: the quick files first (they kill most mutants in well
// under a second), the generated paths last (they traverse the machine for every policy and replay
// ~3,000 runs, several seconds, and are needed only for what the others miss).
const order = [
  'test/machine/upgradeMachine.test.ts',
  'test/machine/statePath.test.ts',
  'test/cli/graph.test.ts',
  'test/machine/outputs.test.ts',
  'test/machine/paths.test.ts',
];

class QuickFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = order.findIndex((name) => file.moduleId.endsWith(name));
      return index === -1 ? order.length : index;
    };
    return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b)));
  }
}

export default defineConfig({
  test: {
    include: order,
    testTimeout: 20_000,
    sequence: { sequencer: QuickFirst },
  },
});
