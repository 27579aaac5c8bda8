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
};

export default config;
