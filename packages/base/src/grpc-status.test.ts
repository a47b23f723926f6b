/**
 * Goal: every ZooKeeper code has exactly the gRPC status docs/errors.md
 * promises. Method: the table in the doc is parsed and compared with the code.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { GrpcStatus, grpcStatusOf, ZkCode } from './index.js';

test('grpc-status: the table matches docs/errors.md row by row', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((line) => /^\| -?\d+ \| [A-Z]+ \|/.test(line));
  assert.equal(rows.length, Object.keys(ZkCode).length);
  for (const row of rows) {
    const cells = row.split('|').map((cell) => cell.trim());
    const code = Number(cells[1]);
    const statusName = /^[A-Z_]+/.exec(cells[4] ?? '')?.[0] as keyof typeof GrpcStatus;
    assert.equal(grpcStatusOf(code), GrpcStatus[statusName], `code ${code} (${cells[2]})`);
  }
});
