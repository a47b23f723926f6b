/**
 * A fuzz case is plain data: the steps one attacker connection (or two,
 * for session resumption) performs. Cases are generated from the PRNG,
 * executed by execute-case.ts, and saved as JSON in testdata/ when they
 * break an oracle, so a regression test replays exactly the same bytes.
 */
import { Buffer } from 'node:buffer';
import { OpCode, encodeConnectRequest, encodeRequest } from '@corral/wire';
import { canaryPaths } from './canary.js';
import { randomRequestFrame } from './generate.js';
import { mutateFrame } from './mutate.js';
import type { Prng } from './prng.js';

/**
 * One step. `send` writes raw bytes (hex). `connect` writes a ConnectRequest
 * and waits (bounded) for the answer. `resume` opens a second connection
 * that resumes the session the first `connect` got, with its real password
 * or a wrong one; later steps use that connection. `pause` stops reading
 * replies. `wait` idles.
 */
export type Step =
  | { readonly op: 'send'; readonly hex: string }
  | { readonly op: 'connect'; readonly hex: string }
  | { readonly op: 'resume'; readonly password: 'same' | 'wrong'; readonly timeOut: number; readonly lastZxidSeen: string }
  | { readonly op: 'pause' }
  | { readonly op: 'wait'; readonly ms: number };

/** What a run leaves out: opcodes and scenarios (by kind) with known bugs being fixed elsewhere. Empty by default. */
export interface CaseMix {
  readonly skipOpcodes: ReadonlySet<number>;
  readonly skipScenarios: ReadonlySet<string>;
}

/** Everything. */
export const fullMix: CaseMix = { skipOpcodes: new Set(), skipScenarios: new Set() };

/** What one case does. */
export interface FuzzCase {
  /** The scenario that generated it. */
  readonly kind: string;
  readonly steps: readonly Step[];
  /** How long to keep the connection after the last step, unless the server closes it first. */
  readonly lingerMs: number;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

function connectFrame(prng: Prng, absurd: boolean): Uint8Array {
  if (!absurd) {
    return encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: prng.between(4000, 40_000), sessionId: 0n, passwd: new Uint8Array(16), readOnly: false });
  }
  return encodeConnectRequest({
    protocolVersion: prng.pick([0, -1, 1, 0x7fffffff]),
    lastZxidSeen: prng.pick([0n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0xffffffffn, 1n << 40n]),
    timeOut: prng.pick([0, -1, 1, 0x7fffffff, -0x80000000, 30_000]),
    sessionId: prng.pick([0n, 1n, -1n, 0x7fffffffffffffffn, BigInt(prng.uint32()) << 24n]),
    passwd: prng.bytes(prng.pick([0, 15, 16, 17, 1000])),
    readOnly: prng.chance(0.2),
    omitsReadOnly: prng.chance(0.2),
  });
}

/**
 * Valid requests after a valid handshake, usually ending in a mutated one:
 * the server closes a connection on the first malformed frame, so frames
 * after it would never be read.
 */
function mutatedRequests(prng: Prng, mix: CaseMix): FuzzCase {
  const steps: Step[] = [{ op: 'connect', hex: hex(connectFrame(prng, false)) }];
  const count = prng.between(1, 24);
  for (let i = 0; i < count; i++) {
    const frame = randomRequestFrame(prng, i + 1, mix.skipOpcodes);
    const mutate = i === count - 1 ? prng.chance(0.4) : prng.chance(0.03);
    steps.push({ op: 'send', hex: hex(mutate ? mutateFrame(prng, frame) : frame) });
  }
  return { kind: 'requests', steps, lingerMs: 300 };
}

/** Second connects, absurd handshakes, resumption with wrong passwords. */
function handshakeAbuse(prng: Prng, mix: CaseMix): FuzzCase {
  const steps: Step[] = [{ op: 'connect', hex: hex(connectFrame(prng, prng.chance(0.5))) }];
  switch (prng.below(4)) {
    case 0:
      steps.push({ op: 'send', hex: hex(connectFrame(prng, prng.chance(0.5))) });
      break;
    case 1:
      steps.push({ op: 'resume', password: prng.chance(0.5) ? 'wrong' : 'same', timeOut: prng.pick([0, -1, 30_000, 0x7fffffff]), lastZxidSeen: prng.pick(['0', '-1', '9223372036854775807', '4294967296']) });
      break;
    case 2:
      steps.push({ op: 'send', hex: hex(mutateFrame(prng, connectFrame(prng, false))) });
      break;
    default:
      break;
  }
  for (let i = prng.below(4); i > 0; i--) steps.push({ op: 'send', hex: hex(randomRequestFrame(prng, i, mix.skipOpcodes)) });
  return { kind: 'handshake', steps, lingerMs: 300 };
}

/** Random bytes, before or after a handshake, sometimes after a plausible length prefix. */
function garbage(prng: Prng): FuzzCase {
  const steps: Step[] = [];
  if (prng.chance(0.5)) steps.push({ op: 'connect', hex: hex(connectFrame(prng, false)) });
  const body = prng.bytes(prng.below(prng.chance(0.9) ? 256 : 70_000));
  if (prng.chance(0.5) && body.length >= 4) new DataView(body.buffer).setInt32(0, body.length - 4);
  steps.push({ op: 'send', hex: hex(body) });
  return { kind: 'garbage', steps, lingerMs: 200 };
}

/** A handshake and one request dripped a byte at a time, or a half-sent length prefix, then silence. */
function slowLoris(prng: Prng): FuzzCase {
  const bytes = Buffer.concat([connectFrame(prng, false), encodeRequest({ xid: 1, type: OpCode.getData }, { type: OpCode.getData, path: '/canary/big', watch: false })]);
  const steps: Step[] = [];
  const sent = prng.chance(0.5) ? bytes.length : prng.between(1, 3);
  for (let i = 0; i < sent; i++) {
    steps.push({ op: 'send', hex: hex(bytes.subarray(i, i + 1)) });
    steps.push({ op: 'wait', ms: prng.between(20, 150) });
  }
  return { kind: 'slow-loris', steps, lingerMs: prng.between(1000, 5000) };
}

/** Pipelines reads of the 1 MiB canary node and never reads a reply: the server's memory must stay bounded. */
function pipelineNoRead(prng: Prng): FuzzCase {
  const count = prng.pick([50, 400, 1000, 2000]);
  const frames: Uint8Array[] = [];
  const path = canaryPaths[canaryPaths.length - 1] ?? '/canary/big';
  if (prng.chance(0.3)) {
    // One multiRead of many reads: a small request whose replies are huge.
    const ops = Array.from({ length: Math.min(count, 300) }, () => ({ type: OpCode.getData, path, watch: false }) as const);
    frames.push(encodeRequest({ xid: 1, type: OpCode.multiRead }, { type: OpCode.multiRead, ops }));
  } else {
    for (let xid = 1; xid <= count; xid++) frames.push(encodeRequest({ xid, type: OpCode.getData }, { type: OpCode.getData, path, watch: false }));
  }
  return {
    kind: 'pipeline-no-read',
    steps: [{ op: 'connect', hex: hex(connectFrame(prng, false)) }, { op: 'pause' }, { op: 'send', hex: hex(Buffer.concat(frames)) }, { op: 'wait', ms: 3000 }],
    lingerMs: 0,
  };
}

const scenarios: readonly [number, string, (prng: Prng, mix: CaseMix) => FuzzCase][] = [
  [70, 'requests', mutatedRequests],
  [12, 'handshake', handshakeAbuse],
  [12, 'garbage', garbage],
  [3, 'slow-loris', slowLoris],
  [3, 'pipeline-no-read', pipelineNoRead],
];

/** The names of the scenarios (FuzzCase.kind). */
export const scenarioKinds: readonly string[] = scenarios.map(([, kind]) => kind);

/** The next case for a worker; a skipped scenario's turn goes to `requests`. */
export function randomCase(prng: Prng, mix: CaseMix = fullMix): FuzzCase {
  let roll = prng.below(100);
  for (const [weight, kind, generate] of scenarios) {
    if (roll < weight) return mix.skipScenarios.has(kind) ? mutatedRequests(prng, mix) : generate(prng, mix);
    roll -= weight;
  }
  return mutatedRequests(prng, mix);
}

/** How many inputs (frames or raw chunks) a case sends. */
export function inputCount(fuzzCase: FuzzCase): number {
  return fuzzCase.steps.filter((step) => step.op === 'send' || step.op === 'connect' || step.op === 'resume').length;
}
