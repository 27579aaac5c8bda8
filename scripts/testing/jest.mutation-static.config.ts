/** @jest-config-loader esbuild-register */
/**
 * The unit tests of the second mutation run (stryker.static.config.mjs): those of the services whose tables it
 * mutates, and the shared contracts. Every one of them runs for each mutant of a table.
 */
import type { Config } from 'jest';
import mutation from './jest.mutation.config';

const config: Config = {
  ...mutation,
  testMatch: [
    '<rootDir>/shared/src/contracts/**/*.test.ts',
    '<rootDir>/services/dlq-console/src/**/*.test.ts',
    '<rootDir>/services/marketing-events/src/**/*.test.ts',
    '<rootDir>/services/device-ownership/src/**/*.test.ts',
  ],
};

export default config;
