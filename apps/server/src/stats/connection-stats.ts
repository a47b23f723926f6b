/**
 * Per-connection counters behind `cons` and `crst`, as ZooKeeper's
 * ServerCnxn keeps them: packets in and out, and the last operation with its
 * cxid, zxid, response time and latency. They belong to the connection, not
 * the session: a session resumed on a new connection starts from zero, as in
 * Apache.
 */
import { OpCode } from '@corral/wire';
import { LatencyStats } from './latency-stats.js';

/** FinalRequestProcessor's `lastOp` names, by opcode. */
const operationNames: ReadonlyMap<number, string> = new Map([
  [OpCode.ping, 'PING'], [OpCode.createSession, 'SESS'], [OpCode.multi, 'MULT'], [OpCode.multiRead, 'MLTR'],
  [OpCode.create, 'CREA'], [OpCode.create2, 'CREA'], [OpCode.createTTL, 'CREA'], [OpCode.createContainer, 'CREA'],
  [OpCode.delete, 'DELE'], [OpCode.deleteContainer, 'DELE'], [OpCode.setData, 'SETD'], [OpCode.reconfig, 'RECO'],
  [OpCode.setACL, 'SETA'], [OpCode.closeSession, 'CLOS'], [OpCode.sync, 'SYNC'], [OpCode.check, 'CHEC'],
  [OpCode.exists, 'EXIS'], [OpCode.getData, 'GETD'], [OpCode.setWatches, 'SETW'], [OpCode.setWatches2, 'STW2'],
  [OpCode.addWatch, 'ADDW'], [OpCode.getACL, 'GETA'], [OpCode.getChildren, 'GETC'], [OpCode.getChildren2, 'GETC'],
  [OpCode.getAllChildrenNumber, 'GETACN'], [OpCode.checkWatches, 'CHKW'], [OpCode.removeWatches, 'REMW'],
  [OpCode.whoAmI, 'HOMI'], [OpCode.getEphemerals, 'GETE'],
]);

const singleWrites: ReadonlySet<number> = new Set([
  OpCode.create, OpCode.create2, OpCode.createTTL, OpCode.createContainer, OpCode.delete, OpCode.deleteContainer,
  OpCode.setData, OpCode.setACL, OpCode.check, OpCode.reconfig,
]);

/**
 * The `lop` that Apache reports for a reply. A single write that failed was
 * logged as an ErrorTxn, and FinalRequestProcessor throws on it before it
 * names the operation, so it reports "NA"; a failed read or multi keeps its
 * name.
 */
export function operationName(type: number, err: number): string {
  if (err !== 0 && singleWrites.has(type)) return 'NA';
  return operationNames.get(type) ?? 'NA';
}

/**
 * ServerCnxn's fields start unset in Apache (it never calls resetStats in
 * the constructor), so a connection that has answered nothing yet, such as a
 * resumed session, reports `lop=null,lcxid=0x0,lzxid=0x0`. `crst` sets them
 * to "NA", -1 and -1 instead. Both are reproduced because tools compare them.
 */
const initialOperation = 'null';

/** One connection's counters; `reset` is `crst`. */
export class ConnectionStats {
  /** Frames received: the ConnectRequest, requests, pings, auth packets (ServerCnxn.packetReceived). */
  packetsReceived = 0;
  /** Frames sent: the ConnectResponse, replies and watch events (ServerCnxn.packetSent). */
  packetsSent = 0;
  /** Apache's four-letter name of the last answered operation ("GETD", "SESS", ...). */
  lastOperation = initialOperation;
  /** Last non-negative request xid answered; -1 after a reset (then `cons` omits it). */
  lastCxid = 0;
  /** lastProcessedZxid when the last reply was built; -1 after a reset. */
  lastZxid = 0n;
  /** Clock time of the last reply, ms; 0 until one is sent. */
  lastResponseMs = 0;
  readonly latency = new LatencyStats();
  /** When the connection was accepted (ms since the epoch), as ServerCnxn.established. */
  readonly establishedAtMs: number;

  constructor(establishedAtMs: number) {
    this.establishedAtMs = establishedAtMs;
  }

  /**
   * One request answered (ServerCnxn.updateStatsForResponse). Special xids
   * (ping -2, ...) do not overwrite lastCxid: it tracks the client's last
   * real operation.
   */
  recordResponse(response: { cxid: number; zxid: bigint; operation: string; receivedAtMs: number; nowMs: number }): void {
    if (response.cxid >= 0) this.lastCxid = response.cxid;
    this.lastZxid = response.zxid;
    this.lastOperation = response.operation;
    this.lastResponseMs = response.nowMs;
    this.latency.record(response.nowMs - response.receivedAtMs);
  }

  /** `crst` (ServerCnxn.resetStats). */
  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.lastOperation = 'NA';
    this.lastCxid = -1;
    this.lastZxid = -1n;
    this.lastResponseMs = 0;
    this.latency.reset();
  }
}
