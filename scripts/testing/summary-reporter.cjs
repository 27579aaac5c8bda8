// Prints one plain closing line per Jest run, e.g. "integration: 14 passed, 0 failed",
// so that tools which read a run's last lines (CI among them) count the tests.
// Written at exit: Jest's own summary reporter always runs after custom reporters.
class SummaryReporter {
  onRunComplete(contexts, results) {
    const names = [...contexts].map((context) => context.config.displayName?.name).filter(Boolean);
    const label = names.length === 1 ? names[0] : 'tests';
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${label}: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.once('exit', () => process.stderr.write(`\n${line}\n`));
  }
}

module.exports = SummaryReporter;
