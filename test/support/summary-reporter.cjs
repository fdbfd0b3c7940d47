// Mocha's spec output, plus one closing line in the plain "N passed, N failed"
// form that CI reads regardless of the test runner.
'use strict';
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      // Lines the tests left for the summary, e.g. why the BMv2 tests did not run.
      const notes = globalThis[Symbol.for('zonekeeper.summaryNotes')];
      for (const note of notes ?? []) process.stdout.write(`\nnote: ${note}`);
      process.stdout.write(`\ntests: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
    });
  }
}
module.exports = SummaryReporter;
