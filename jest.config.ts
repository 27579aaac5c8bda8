/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

const transform: Config['transform'] = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
  // Published as ES modules only: cel-js (the independent CEL implementation tests compare against),
  // node-pg-migrate (the migrations the set-up applies) and the OpenAPI validator (the contracts test).
  '^.+/node_modules/(@marcbachmann/cel-js|node-pg-migrate|@seriousme/openapi-schema-validator)/.+\\.js$': [
    '@swc/jest',
    { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const transformIgnorePatterns = [
  '/node_modules/(?!(@marcbachmann/cel-js|node-pg-migrate|@seriousme/openapi-schema-validator)/)',
];
// Mutation testing's sandboxes are copies of the repository: never modules or tests of this one.
const modulePathIgnorePatterns = ['<rootDir>/.stryker/'];

/** Unit tests: no network, beside the code. Also what mutation testing runs (stryker.config.mjs). */
export const unitProject = {
  displayName: 'unit',
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  modulePathIgnorePatterns,
  testMatch: [
    '<rootDir>/shared/src/**/*.test.ts',
    '<rootDir>/packages/*/src/**/*.test.ts',
    '<rootDir>/services/*/src/**/*.test.ts',
    '<rootDir>/services/*/contracts/**/*.test.ts',
    '<rootDir>/services/*/engine/**/*.test.ts',
    '<rootDir>/services/*/local/**/*.test.ts',
    '<rootDir>/scripts/**/*.test.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '\\.build\\.test\\.ts$'],
  setupFiles: ['<rootDir>/scripts/testing/unit-env.ts'],
} satisfies Config;

/**
 * What a deploy would build, checked without any emulator: every service packaged ("serverless package") and its
 * CloudFormation linted, the Dockerfile linted. Slow (tens of seconds), so apart from the unit tests that mutation
 * testing runs, but run beside them (npm run test:unit), not after the local cloud is up.
 */
const buildProject = {
  displayName: 'build',
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  modulePathIgnorePatterns,
  testMatch: ['<rootDir>/scripts/**/*.build.test.ts'],
  setupFiles: ['<rootDir>/scripts/testing/unit-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/scripts/testing/integration-timeouts.ts'],
} satisfies Config;

/**
 * Three projects: unit tests, the build checks, and integration tests (against the real local cloud: ElasticMQ,
 * DynamoDB Local, moto S3, Cassandra, PostgreSQL, and services running in serverless-offline).
 */
const config: Config = {
  // The IAM check last: it evaluates the calls the other integration tests made the functions make.
  testSequencer: '<rootDir>/scripts/testing/integration-sequencer.cjs',
  reporters: ['default', '<rootDir>/scripts/testing/summary-reporter.cjs'],
  projects: [
    unitProject,
    buildProject,
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: [
        '<rootDir>/scripts/testing/**/*.int.test.ts',
        '<rootDir>/shared/test/integration/**/*.int.test.ts',
        '<rootDir>/services/*/test/integration/**/*.int.test.ts',
      ],
      transformIgnorePatterns,
      modulePathIgnorePatterns,
      setupFiles: ['<rootDir>/scripts/testing/integration-env.ts'],
      setupFilesAfterEnv: ['<rootDir>/scripts/testing/integration-timeouts.ts'],
      globalSetup: '<rootDir>/scripts/testing/global-setup.ts',
      globalTeardown: '<rootDir>/scripts/testing/global-teardown.ts',
    },
  ],
};

export default config;
