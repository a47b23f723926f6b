/**
 * Splits a history into independent partitions (one per znode) and checks
 * each with Wing–Gong. A violation names its partition and the operations in
 * it, so a failing seed points at the znode whose history is impossible.
 */
import type { Operation } from './history.js';
import type { Model } from './model.js';
import { checkPartition, searchStepsMaxDefault, type PartitionVerdict } from './wing-gong.js';

/** The outcome of a whole check. */
export interface LinearizabilityResult {
  /** 'violation' if any partition is not linearizable; 'undecided' if none is but one ran out of steps. */
  readonly verdict: PartitionVerdict;
  readonly partitionsChecked: number;
  /** Per failing (or undecided) partition: its key and a readable history. */
  readonly failures: readonly { readonly partition: string; readonly verdict: PartitionVerdict; readonly history: readonly string[] }[];
}

/** Checks a history against a model, partition by partition. */
export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>, operations: readonly Operation<I, O>[], options: { searchStepsMax?: number } = {},
): LinearizabilityResult {
  const partitions = new Map<string, Operation<I, O>[]>();
  for (const op of operations) {
    const key = model.partition(op.input);
    let list = partitions.get(key);
    if (list === undefined) partitions.set(key, (list = []));
    list.push(op);
  }
  const failures: { partition: string; verdict: PartitionVerdict; history: string[] }[] = [];
  for (const [partition, ops] of partitions) {
    const { verdict } = checkPartition(model, ops, options.searchStepsMax ?? searchStepsMaxDefault);
    if (verdict === 'linearizable') continue;
    const history = [...ops]
      .sort((a, b) => a.call - b.call)
      .map((op) => `[${op.call}, ${op.ret ?? '∞'}] client ${op.clientId}: ${model.describe(op.input, op.output)}`);
    failures.push({ partition, verdict, history });
  }
  const verdict: PartitionVerdict = failures.some((f) => f.verdict === 'violation')
    ? 'violation'
    : failures.length > 0 ? 'undecided' : 'linearizable';
  return { verdict, partitionsChecked: partitions.size, failures };
}
