/**
 * Batches of peer.proto (LeaderBatch, LearnerBatch): the messages one turn
 * sends on one broadcast stream, carried in one gRPC message. Splitting
 * keeps each batch under batchMessagesMax and batchBytesMax; unbatching
 * hands the codecs plain messages in the order they were sent, so nothing
 * past this file knows batches exist.
 */
import { PeerProtocolError } from './peer-errors.js';
import { messageOverheadBytesMax } from './limits.js';
import type { WireLeaderMessage, WireLearnerMessage } from './peer-proto.js';

/** A leader or learner wire message: the two share the batch shape. */
export type BroadcastWire = WireLeaderMessage | WireLearnerMessage;

/** What a wire message with a batch member looks like to the functions here. */
interface Batchable<W> {
  msg?: string;
  batch?: { messages: W[] } | null;
}

/** The limits a batch is split at. */
export interface BatchLimits {
  readonly batchMessagesMax: number;
  readonly batchBytesMax: number;
}

/**
 * An upper bound of a message's encoded size as one entry of a batch: the bytes it carries plus
 * messageOverheadBytesMax (its fields' tags and lengths, its oneof wrapper and the entry tag).
 */
export function wireBytesBound(w: BroadcastWire): number {
  let payload = 0;
  if ('proposal' in w && w.proposal?.txn) payload = w.proposal.txn.data.byteLength;
  else if ('inform' in w && w.inform?.txn) payload = w.inform.txn.data.byteLength;
  else if ('snapChunk' in w && w.snapChunk) payload = w.snapChunk.data.byteLength;
  else if ('request' in w && w.request) payload = w.request.data.byteLength;
  else if (w.revalidate) payload = w.revalidate.data.byteLength;
  return payload + messageOverheadBytesMax;
}

/**
 * Cuts `wires` (in order) into groups of at most batchMessagesMax messages whose bounds add up to
 * at most batchBytesMax with the batch envelope; a message too large for any batch is a group of
 * its own. Concatenated, the groups are `wires`.
 */
export function splitIntoBatches<W extends BroadcastWire>(wires: readonly W[], limits: BatchLimits): W[][] {
  const groups: W[][] = [];
  let group: W[] = [];
  let groupBytes = messageOverheadBytesMax;
  for (const wire of wires) {
    const bytes = wireBytesBound(wire);
    if (group.length > 0 && (group.length >= limits.batchMessagesMax || groupBytes + bytes > limits.batchBytesMax)) {
      groups.push(group);
      group = [];
      groupBytes = messageOverheadBytesMax;
    }
    group.push(wire);
    groupBytes += bytes;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** One gRPC message for a group: a single message goes as itself (as servers without batches send it). */
export function batchWire<W extends BroadcastWire>(group: readonly W[]): W | { msg: 'batch'; batch: { messages: readonly W[] } } {
  if (group.length === 1 && group[0] !== undefined) return group[0];
  return { msg: 'batch', batch: { messages: group } };
}

/**
 * The messages a received gRPC message carries, in order: itself, or a batch's entries. A batch
 * that is empty, above batchMessagesMax or holds a batch closes the stream (the codecs refuse a
 * handshake message inside one as after any handshake).
 */
export function unbatched<W extends Batchable<W>>(w: W, batchMessagesMax: number): readonly W[] {
  if (w.msg !== 'batch') return [w];
  const messages = w.batch?.messages ?? [];
  if (messages.length === 0) throw new PeerProtocolError('unexpected-message', 'an empty batch');
  if (messages.length > batchMessagesMax) throw new PeerProtocolError('too-large', `a batch of ${messages.length} messages above batchMessagesMax ${batchMessagesMax}`);
  for (const m of messages) if (m.msg === 'batch') throw new PeerProtocolError('unexpected-message', 'a batch inside a batch');
  return messages;
}
