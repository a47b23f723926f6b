/**
 * Wing & Gong's linearizability search with Lowe's memoisation, as in
 * Porcupine's `checkSingle`: walk the events in time order; at a call, try to
 * linearize that operation now (if the model allows its answer in the current
 * state and the pair (linearized set, state) is new), lifting it out of the
 * list; at a return whose call was not linearized, backtrack. Operations
 * whose answer was never seen return "at infinity", so they may take effect
 * at any later point or not at all.
 */
import type { Model } from './model.js';
import type { Operation } from './history.js';

/** Search steps before a partition is reported as undecided rather than searched forever. */
export const searchStepsMaxDefault = 2_000_000;

/** The verdict for one partition. */
export type PartitionVerdict = 'linearizable' | 'violation' | 'undecided';

interface EventNode {
  readonly isCall: boolean;
  readonly opIndex: number;
  readonly time: number;
  prev: EventNode | null;
  next: EventNode | null;
  /** For a call: its return event. */
  match: EventNode | null;
}

/** Checks one partition's operations against the model. */
export function checkPartition<S, I, O>(
  model: Model<S, I, O>, operations: readonly Operation<I, O>[], searchStepsMax = searchStepsMaxDefault,
): { verdict: PartitionVerdict; longestPrefix: number[] } {
  const head = buildEventList(operations);
  const stack: { call: EventNode; state: S }[] = [];
  const linearized = new Uint8Array(operations.length);
  const seen = new Set<string>();
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  let longestPrefix: number[] = [];
  while (head.next !== null) {
    if (++steps > searchStepsMax) return { verdict: 'undecided', longestPrefix };
    if (entry === null) throw new Error('walked past every return: the event list is broken');
    if (entry.isCall) {
      const op = operations[entry.opIndex];
      if (op === undefined) throw new Error('event refers to a missing operation');
      const result = model.step(state, op.input, op.output);
      if (result.ok) {
        linearized[entry.opIndex] = 1;
        const cacheKey = `${bitsKey(linearized)}|${model.key(result.next)}`;
        if (!seen.has(cacheKey)) {
          seen.add(cacheKey);
          stack.push({ call: entry, state });
          if (stack.length > longestPrefix.length) longestPrefix = stack.map((frame) => frame.call.opIndex);
          state = result.next;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[entry.opIndex] = 0;
      }
      entry = entry.next;
      continue;
    }
    // A return whose call is still in the list: nothing linearized so far can explain it.
    const frame = stack.pop();
    if (frame === undefined) return { verdict: 'violation', longestPrefix };
    linearized[frame.call.opIndex] = 0;
    state = frame.state;
    unlift(frame.call);
    entry = frame.call.next;
  }
  return { verdict: 'linearizable', longestPrefix };
}

function buildEventList<I, O>(operations: readonly Operation<I, O>[]): EventNode {
  const events: EventNode[] = [];
  operations.forEach((op, opIndex) => {
    const call: EventNode = { isCall: true, opIndex, time: op.call, prev: null, next: null, match: null };
    const ret: EventNode = { isCall: false, opIndex, time: op.ret ?? Number.POSITIVE_INFINITY, prev: null, next: null, match: null };
    if (op.ret !== null && op.ret < op.call) throw new Error(`operation ${opIndex} returns before it is called`);
    call.match = ret;
    events.push(call, ret);
  });
  // Time order; at equal times calls first, so touching operations count as concurrent (never a false alarm).
  events.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.opIndex - b.opIndex);
  const head: EventNode = { isCall: false, opIndex: -1, time: Number.NEGATIVE_INFINITY, prev: null, next: null, match: null };
  let last = head;
  for (const event of events) {
    last.next = event;
    event.prev = last;
    last = event;
  }
  return head;
}

/** Removes a call and its return from the list. */
function lift(call: EventNode): void {
  const ret = call.match;
  if (ret === null || call.prev === null || ret.prev === null) throw new Error('lift of an unlinked event');
  call.prev.next = call.next;
  if (call.next !== null) call.next.prev = call.prev;
  ret.prev.next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

/** Puts a lifted call and its return back where they were (reverse order of lift). */
function unlift(call: EventNode): void {
  const ret = call.match;
  if (ret === null || call.prev === null || ret.prev === null) throw new Error('unlift of an unlinked event');
  ret.prev.next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  call.prev.next = call;
  if (call.next !== null) call.next.prev = call;
}

function bitsKey(bits: Uint8Array): string {
  let key = '';
  for (let index = 0; index < bits.length; index += 16) {
    let word = 0;
    for (let bit = 0; bit < 16 && index + bit < bits.length; bit += 1) word |= (bits[index + bit] ?? 0) << bit;
    key += String.fromCharCode(word + 1);
  }
  return key;
}
