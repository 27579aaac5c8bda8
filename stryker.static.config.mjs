// The second part of `npm run mutation`: the files whose module-level tables are behaviour, mutated with their
// tables (ignoreStatic off). A mutant of a table runs every test that imports its file, so only those tests run here
// (scripts/testing/jest.mutation-static.config.ts). scripts/mutation.ts merges this run's report over the first's.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  jest: { ...base.jest, configFile: 'scripts/testing/jest.mutation-static.config.ts' },
  mutate: [
    // Which words name personal data (what is masked, what the privacy checks refuse).
    'shared/src/contracts/personal.ts',
    // Which Graph API error codes Meta asks to retry.
    'services/marketing-events/src/domain/meta.ts',
    // The default device policy and the reasons people are told.
    'services/device-ownership/src/domain/rules.ts',
  ],
  ignoreStatic: false,
  incrementalFile: '.stryker/incremental-static.json',
  jsonReporter: { fileName: '.stryker/report-static.json' },
};
