'use strict';
/**
 * Jest's own order (slowest and failed first), except that the IAM check (iam-policies.int.test.ts) runs last: it
 * evaluates the AWS calls the functions made during every other integration test (scripts/local-cloud/iam-calls.ts).
 */
const Sequencer = require('@jest/test-sequencer').default;

const RUNS_LAST = /iam-policies\.int\.test\.ts$/;

class IntegrationSequencer extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    return [
      ...ordered.filter((test) => !RUNS_LAST.test(test.path)),
      ...ordered.filter((test) => RUNS_LAST.test(test.path)),
    ];
  }
}

module.exports = IntegrationSequencer;
