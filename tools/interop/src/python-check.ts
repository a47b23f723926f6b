/** Runs a testdata/*.py client script with Debian's Python (kazoo) and parses its JSON answer. */
import { pythonBin, testdataFile } from './paths.js';
import { describeRun, runClient } from './run-client.js';

/** Runs `script args...`, returns the JSON object printed on its last stdout line. */
export async function runPythonJson(script: string, args: readonly string[], timeoutMs = 90_000): Promise<unknown> {
  const result = await runClient({ command: pythonBin, args: [testdataFile(script), ...args], timeoutMs });
  const lines = result.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (result.code !== 0 || !last.startsWith('{')) {
    throw new Error(`${script} ${args.join(' ')} failed: ${describeRun(result)}`);
  }
  return JSON.parse(last);
}
