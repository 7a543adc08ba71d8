// Runs every test file with node's test runner, prints its spec output and
// ends with one plain summary line CI can read: "N passed, N failed, N skipped".
import { globSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const patterns = process.argv.slice(2).length ? process.argv.slice(2) : ['src/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.test.ts'];
const files = patterns.flatMap((p) => (p.includes('*') ? globSync(p) : [p])).sort();
const counts = { passed: 0, failed: 0, skipped: 0 };
const isTest = (data) => data.details?.type !== 'suite';

const stream = run({ files, concurrency: availableParallelism(), timeout: 10 * 60 * 1000 });
stream.on('test:pass', (data) => {
  if (isTest(data)) counts[data.skip || data.todo ? 'skipped' : 'passed']++;
});
stream.on('test:fail', (data) => {
  if (isTest(data)) counts[data.todo ? 'skipped' : 'failed']++;
});
const reporter = stream.compose(spec);
reporter.pipe(process.stdout);
reporter.on('end', () => {
  setImmediate(() => {
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
    process.exitCode = counts.failed > 0 || counts.passed === 0 ? 1 : 0;
  });
});
