/** Runs one differential sequence through testdata/diff_driver.py against one server. */
import { pythonBin, testdataFile } from './paths.js';
import { describeRun, runClient } from './run-client.js';
import type { DiffSequence, DriverOutput } from './diff-normalize.js';

/** Feeds `sequence` to the kazoo driver connected to connectString; parses its JSON lines. */
export async function runDriver(connectString: string, sequence: DiffSequence, timeoutMs = 120_000): Promise<DriverOutput> {
  const result = await runClient({
    command: pythonBin,
    args: [testdataFile('diff_driver.py'), connectString],
    stdin: JSON.stringify(sequence),
    timeoutMs,
  });
  const lines = result.stdout.split('\n').filter((line) => line.startsWith('{'));
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const head = parsed[0];
  if (result.code !== 0 || head === undefined || !Array.isArray(head['sessions'])) {
    throw new Error(`diff_driver.py against ${connectString} failed: ${describeRun(result)}`);
  }
  const results = parsed.slice(1);
  if (results.length !== sequence.ops.length) {
    throw new Error(`diff_driver.py printed ${results.length} results for ${sequence.ops.length} ops: ${describeRun(result)}`);
  }
  return { sessions: head['sessions'] as string[], results };
}
