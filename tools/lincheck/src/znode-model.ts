/**
 * The sequential specification of ZooKeeper's znode operations that a
 * linearizability check needs, one znode at a time (per-znode partitioning,
 * as Porcupine's partitioned models): a znode is absent or present with data
 * and a version. Sequential creates are checked per parent: the suffixes a
 * parent hands out are unique and grow in linearization order (gaps allowed,
 * since other children's creates and deletes also bump the counter).
 *
 * Outcomes that depend on state outside one partition (NONODE for a missing
 * parent, NOTEMPTY, NOAUTH) are allowed without effect: the model never
 * raises a false alarm for them, and it still catches stale reads, lost
 * writes, duplicate sequence numbers and values never written.
 */
import { ZkCode } from '@corral/base';
import type { Model, StepResult } from './model.js';

/** An operation on one znode (or, for sequential creates, on one parent's counter). */
export type ZnodeInput =
  | { readonly kind: 'create'; readonly path: string; readonly data: string }
  | { readonly kind: 'createSequential'; readonly prefix: string; readonly data: string }
  | { readonly kind: 'delete'; readonly path: string; readonly version: number }
  | { readonly kind: 'set'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly kind: 'get'; readonly path: string }
  | { readonly kind: 'exists'; readonly path: string };

/** What the server answered. `version` is the znode's version after a set, or as read by get/exists. */
export interface ZnodeOutput {
  readonly code: number;
  readonly data?: string;
  readonly version?: number;
  /** The name a sequential create returned. */
  readonly name?: string;
}

/** The state of one partition. */
export type ZnodeState =
  | { readonly kind: 'node'; readonly present: boolean; readonly data: string; readonly version: number }
  | { readonly kind: 'sequence'; readonly next: number };

type NodeState = Extract<ZnodeState, { kind: 'node' }>;
const absent: NodeState = { kind: 'node', present: false, data: '', version: 0 };
const allow = <S>(next: S): StepResult<S> => ({ ok: true, next });
const refuse = { ok: false } as const;

/** Codes whose cause lies outside one partition: allowed, no effect. */
const outsideCodes: ReadonlySet<number> = new Set([ZkCode.NONODE, ZkCode.NOTEMPTY, ZkCode.NOAUTH, ZkCode.NOCHILDRENFOREPHEMERALS]);

function stepNode(state: ZnodeState, input: Exclude<ZnodeInput, { kind: 'createSequential' }>, output: ZnodeOutput | null): StepResult<ZnodeState> {
  const node: NodeState = state.kind === 'node' ? state : absent;
  const code = output?.code;
  switch (input.kind) {
    case 'create':
      if (node.present) return code === undefined || code === ZkCode.NODEEXISTS ? allow(node) : refuse;
      if (code === undefined || code === ZkCode.OK) return allow({ kind: 'node', present: true, data: input.data, version: 0 });
      // NONODE: the parent is missing, which this partition cannot see.
      return code === ZkCode.NONODE ? allow(node) : refuse;
    case 'delete': {
      if (!node.present) return code === undefined || code === ZkCode.NONODE ? allow(node) : refuse;
      const versionMatches = input.version === -1 || input.version === node.version;
      if (code === undefined) return allow(versionMatches ? absent : node);
      if (code === ZkCode.OK) return versionMatches ? allow(absent) : refuse;
      if (code === ZkCode.BADVERSION) return versionMatches ? refuse : allow(node);
      return code === ZkCode.NOTEMPTY || code === ZkCode.NOAUTH ? allow(node) : refuse;
    }
    case 'set': {
      if (!node.present) return code === undefined || code === ZkCode.NONODE ? allow(node) : refuse;
      const versionMatches = input.version === -1 || input.version === node.version;
      const written: ZnodeState = { kind: 'node', present: true, data: input.data, version: node.version + 1 };
      if (code === undefined) return allow(versionMatches ? written : node);
      if (code === ZkCode.OK) return versionMatches && (output?.version === undefined || output.version === node.version + 1) ? allow(written) : refuse;
      if (code === ZkCode.BADVERSION) return versionMatches ? refuse : allow(node);
      return code === ZkCode.NOAUTH ? allow(node) : refuse;
    }
    case 'get':
    case 'exists':
      if (output === null) return allow(node);
      if (!node.present) return code === ZkCode.NONODE || (input.kind === 'exists' && code === ZkCode.OK && output.version === undefined) ? allow(node) : refuse;
      if (code !== ZkCode.OK) return outsideCodes.has(code ?? 0) && code !== ZkCode.NONODE ? allow(node) : refuse;
      if (output.version !== undefined && output.version !== node.version) return refuse;
      if (input.kind === 'exists') return output.version === undefined ? refuse : allow(node);
      return output.data === node.data ? allow(node) : refuse;
  }
}

function stepSequence(state: ZnodeState, input: Extract<ZnodeInput, { kind: 'createSequential' }>, output: ZnodeOutput | null): StepResult<ZnodeState> {
  const sequence: Extract<ZnodeState, { kind: 'sequence' }> = state.kind === 'sequence' ? state : { kind: 'sequence', next: 0 };
  if (output === null) return allow(sequence);
  if (output.code !== ZkCode.OK) return outsideCodes.has(output.code) ? allow(sequence) : refuse;
  const name = output.name;
  if (name === undefined || !name.startsWith(input.prefix)) return refuse;
  const suffix = name.slice(input.prefix.length);
  if (!/^-?\d{10}$/.test(suffix)) return refuse;
  const counter = Number(suffix);
  // Suffixes grow in linearization order, so a duplicate is always below `next`.
  if (counter < sequence.next) return refuse;
  return allow({ kind: 'sequence', next: counter + 1 });
}

/** ZooKeeper's znode operations as a partitioned sequential model. */
export const znodeModel: Model<ZnodeState, ZnodeInput, ZnodeOutput> = {
  init: () => absent,
  step: (state, input, output) => (input.kind === 'createSequential' ? stepSequence(state, input, output) : stepNode(state, input, output)),
  key: (state) => (state.kind === 'node'
    ? (state.present ? `+${state.version}:${state.data}` : '-')
    : `#${state.next}`),
  partition: (input) => (input.kind === 'createSequential' ? `seq:${input.prefix}` : `node:${input.path}`),
  describe: (input, output) => {
    const answer = output === null ? '?' : `${output.code}${output.data !== undefined ? ` data=${JSON.stringify(output.data)}` : ''}${output.version !== undefined ? ` v=${output.version}` : ''}${output.name !== undefined ? ` name=${output.name}` : ''}`;
    const args = 'path' in input ? input.path : input.prefix;
    const extra = 'data' in input ? ` ${JSON.stringify(input.data)}` : '';
    const version = 'version' in input ? ` v=${input.version}` : '';
    return `${input.kind} ${args}${extra}${version} -> ${answer}`;
  },
};
