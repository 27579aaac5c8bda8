/** @jest-config-loader esbuild-register */
/**
 * The unit tests mutation testing runs (npm run mutation, stryker.config.mjs): those of the code it mutates.
 * The scripts' own tests (ESLint in a child process, the local cloud's planning) cover none of it.
 */
import path from 'node:path';
import type { Config } from 'jest';
import { unitProject } from '../../jest.config';

const config: Config = {
  ...unitProject,
  rootDir: path.resolve(__dirname, '../..'),
  testMatch: [
    '<rootDir>/shared/src/**/*.test.ts',
    '<rootDir>/services/*/src/**/*.test.ts',
    '<rootDir>/services/*/engine/**/*.test.ts',
    '<rootDir>/packages/*/src/**/*.test.ts',
  ],
  setupFiles: [...unitProject.setupFiles, '<rootDir>/scripts/testing/mutation-env.ts'],
  // The workspace's packages by name resolve to this tree's files, not through node_modules: Stryker runs the tests in
  // a sandbox whose node_modules is the original's, where `@backbone/shared` leads back to the unmutated sources, and
  // every mutant of shared code reached by name (a service's test of its masking, its caller) went untested.
  moduleNameMapper: {
    '^@backbone/shared$': '<rootDir>/shared/src/index.ts',
    '^@backbone/shared/(cassandra|postgres|testing|local)$': '<rootDir>/shared/src/$1/index.ts',
    '^@backbone/shared/postgres/migrations$': '<rootDir>/shared/src/postgres/migrations.ts',
    '^@backbone/shared/validation$': '<rootDir>/shared/src/validation.ts',
    '^@backbone/rules-language$': '<rootDir>/packages/rules-language/src/index.ts',
    '^@backbone/rules-language/testing$': '<rootDir>/packages/rules-language/src/testing/index.ts',
    '^@backbone/marketing-events/contracts/testing$': '<rootDir>/services/marketing-events/contracts/testing.ts',
    '^@backbone/([a-z-]+)/(contracts|local)$': '<rootDir>/services/$1/$2/index.ts',
    '^@backbone/([a-z-]+)/local/(.+)$': '<rootDir>/services/$1/local/$2.ts',
  },
};

export default config;
