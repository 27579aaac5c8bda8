// Mutation testing of the unit suite: `npm run mutation` (not part of `npm test`; incremental, so a second run
// re-tests only the mutants whose code or tests changed). Its last line is {"mutation":"unit","score":N,"mutants":N}.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'scripts/testing/jest.mutation.config.ts', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'shared/src/sqs/**/*.ts',
    'shared/src/contracts/**/*.ts',
    'services/marketing-events/src/domain/**/*.ts',
    'services/device-ownership/src/domain/**/*.ts',
    'packages/rules-language/src/checker.ts',
    'packages/rules-language/src/compiler/**/*.ts',
    '!**/*.test.ts',
    '!**/index.ts',
  ],
  // Module-level code (tables, schemas) runs once per test file: each such mutant would need the whole suite.
  ignoreStatic: true,
  // Each ignorer says why its mutants are not worth a test (scripts/testing/stryker-ignorers.mjs).
  plugins: ['@stryker-mutator/jest-runner', './scripts/testing/stryker-ignorers.mjs'],
  ignorers: ['log-lines'],
  incremental: true,
  incrementalFile: '.stryker/incremental.json',
  tempDirName: '.stryker/tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['.local-cloud', '.bench', '.stryker', '**/.serverless', '**/.esbuild*', 'coverage'],
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['progress', 'clear-text', 'json'],
  jsonReporter: { fileName: '.stryker/report.json' },
  thresholds: { high: 90, low: 85, break: null },
};
