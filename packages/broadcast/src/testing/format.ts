/** Text forms of zxids, txns and messages for the data-driven scripts. */
import { makeZxid, zxidCounter, zxidEpoch, type Zxid } from '@corral/base';
import type { OutMsg, PeerMsg, Ready, Txn } from '../types.js';

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** "epoch.counter", e.g. 1.3; 0 for the zero zxid. */
export function formatZxid(zxid: Zxid): string {
  return zxid === 0n ? '0' : `${zxidEpoch(zxid)}.${zxidCounter(zxid)}`;
}

/** Parses "epoch.counter" (or "0"). */
export function parseZxid(text: string): Zxid {
  if (text === '0') return 0n;
  const match = /^(\d+)\.(\d+)$/.exec(text);
  if (match === null) throw new Error(`bad zxid ${text}: want epoch.counter`);
  return makeZxid(Number(match[1]), Number(match[2]));
}

export function encodeText(text: string): Uint8Array {
  return textEncoder.encode(text);
}

export function decodeText(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

export function formatTxn(txn: Txn): string {
  return `${formatZxid(txn.zxid)}:${decodeText(txn.bytes)}`;
}

export function formatMsg(msg: PeerMsg): string {
  switch (msg.type) {
    case 'FOLLOWERINFO':
    case 'OBSERVERINFO':
      return `${msg.type} accepted=${msg.acceptedEpoch}`;
    case 'LEADERINFO':
      return `LEADERINFO epoch=${msg.newEpoch}`;
    case 'ACKEPOCH':
      return `ACKEPOCH current=${msg.currentEpoch} last=${formatZxid(msg.lastZxid)} committed=${formatZxid(msg.committedZxid)}`;
    case 'DIFF':
    case 'TRUNC':
    case 'ACK':
    case 'COMMIT':
    case 'NEWLEADER':
      return `${msg.type} ${formatZxid(msg.zxid)}`;
    case 'SNAP':
      return `SNAP ${formatZxid(msg.zxid)}${msg.snapshot === null ? '' : ` (${msg.snapshot.length} bytes)`}`;
    case 'PROPOSAL':
    case 'INFORM':
      return `${msg.type} ${formatTxn(msg.txn)}`;
    case 'REQUEST':
    case 'REVALIDATE':
      return `${msg.type} ${decodeText(msg.payload)}`;
    case 'UPTODATE':
    case 'PING':
      return msg.type;
  }
}

export function formatOut(from: number, out: OutMsg): string {
  return `${from}->${out.to} ${formatMsg(out.msg)}`;
}

/** One line per effect of a Ready, in the order the driver performs them. */
export function formatReady(sid: number, ready: Ready): string[] {
  const lines: string[] = [];
  const p = `[${sid}]`;
  if (ready.snapshot !== null) lines.push(`${p} install-snapshot ${formatZxid(ready.snapshot.zxid)}`);
  if (ready.truncate !== null) lines.push(`${p} truncate ${formatZxid(ready.truncate)}`);
  for (const out of ready.messages) lines.push(`${p} send ${formatOut(sid, out)}`);
  if (ready.committed.length > 0) lines.push(`${p} commit ${ready.committed.map(formatTxn).join(' ')}`);
  if (ready.append.length > 0) lines.push(`${p} append ${ready.append.map(formatTxn).join(' ')}`);
  if (ready.hardState !== null) lines.push(`${p} hard-state accepted=${ready.hardState.acceptedEpoch} current=${ready.hardState.currentEpoch}`);
  for (const out of ready.messagesAfterPersist) lines.push(`${p} send-after-persist ${formatOut(sid, out)}`);
  for (const ref of ready.disconnect) lines.push(`${p} disconnect ${ref.sid}`);
  for (const read of ready.logReads) lines.push(`${p} read-log for ${read.sid} ${formatZxid(read.fromZxid)}..${formatZxid(read.upToZxid)} max=${read.recordsMax}`);
  for (const inbound of ready.inbound) lines.push(`${p} inbound ${formatMsg(inbound.msg)} from ${inbound.from}`);
  if (ready.established) lines.push(`${p} established`);
  if (ready.stopped !== null) lines.push(`${p} stopped: ${ready.stopped.reason}`);
  return lines;
}
