// Type-checked lint: catches floating promises and unsafe any, the bugs that matter in a runner.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The generated config types are checked against the schema instead (test/config/types.test.ts).
  {
    ignores: [
      'dist/',
      '.cache/',
      'node_modules/',
      'coverage/',
      '.stryker-tmp*/',
      'reports/',
      'src/config/schema.generated.ts',
      'src/config/schema.validator.generated.js',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
