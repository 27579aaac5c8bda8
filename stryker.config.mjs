/* global process */
// Mutation testing of the unit suite: `npm run mutation` (not part of `npm test`; incremental, so a second run
// re-tests only the mutants whose code or tests changed). Its last line is {"score":N,"mutants":N,"files":{...}}.
// scripts/mutation.ts runs the scope in parts (a "chunk" per service, the shared library, the rules language), each
// with its own incremental file and report, so that a part done is kept when a later one is stopped.
const chunk = process.env.MUTATION_CHUNK;
const ownFile = (name) => `.stryker/${name}${chunk ? `-${chunk}` : ''}.json`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'scripts/testing/jest.mutation.config.ts', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  mutate: [
    // Every service's domain.
    'services/*/src/domain/**/*.ts',
    'services/snoop-scheduler/engine/domain/**/*.ts',
    // The adapters that hold logic: the Cassandra TTLs, the HTTP transport, the signed batch write.
    'services/device-ownership/src/adapters/cassandra-device-store.ts',
    'services/marketing-events/src/adapters/http-transport.ts',
    'services/snoop-scheduler/src/adapters/dynamodb-batch-write.ts',
    // The shared library: messages, the consumer and producer, HTTP, errors, retries.
    'shared/src/sqs/**/*.ts',
    'shared/src/contracts/**/*.ts',
    'shared/src/http/**/*.ts',
    'shared/src/errors.ts',
    'shared/src/retry.ts',
    // The rules language: lexer, parser, checker, CEL's value semantics, compiler, interpreter, explanations.
    'packages/rules-language/src/lexer.ts',
    'packages/rules-language/src/parser.ts',
    'packages/rules-language/src/values.ts',
    'packages/rules-language/src/checker.ts',
    'packages/rules-language/src/compiler/**/*.ts',
    'packages/rules-language/src/interpreter.ts',
    'packages/rules-language/src/explain.ts',
    // Composition, no logic: builds the consumer's clients from its environment; every line of it runs in each
    // consumer's integration tests, which mutation testing does not run.
    '!shared/src/sqs/consumer-wiring.ts',
    '!**/*.test.ts',
    '!**/*.fixtures.ts',
    '!**/index.ts',
  ],
  // Module-level code (tables, schemas) runs once per test file: each such mutant would need every test that imports
  // its file, and they are 21 % of the mutants but 88 % of the time (measured: about 10 hours on two cores). The
  // tables that are behaviour (the personal marks, the retryable Graph codes, the default policy, the reason
  // messages) have a run of their own, with only the tests that import them: stryker.static.config.mjs.
  ignoreStatic: true,
  // Each ignorer says why its mutants are not worth a test (scripts/testing/stryker-ignorers.mjs).
  plugins: ['@stryker-mutator/jest-runner', './scripts/testing/stryker-ignorers.mjs'],
  ignorers: ['log-lines'],
  incremental: true,
  incrementalFile: ownFile('incremental'),
  tempDirName: '.stryker/tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['.local-cloud', '.bench', '.stryker', '**/.serverless', '**/.esbuild*', 'coverage'],
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['progress', 'clear-text', 'json'],
  jsonReporter: { fileName: ownFile('report') },
  thresholds: { high: 90, low: 85, break: null },
};
