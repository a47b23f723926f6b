/**
 * Start-up recovery: the newest valid snapshot, then every logged txn after
 * it replayed in order (replay mode: the snapshot is fuzzy, so txns it
 * already reflects apply idempotently). Progress is logged.
 *
 * Recovery never serves a tree with a hole in its history: the log must
 * continue exactly where the snapshot ends (or start at the first zxid ever
 * when there is no snapshot), as Apache's FileTxnSnapLog refuses "No
 * snapshot found, but there are log entries". A logged txn that cannot be
 * decoded or applied stops start-up once, naming its zxid, instead of an
 * assertion stack on every restart.
 */
import { zxidCounter, zxidToHex } from '@corral/base';
import { CorruptDataError, DataTree, createSnapshotLoader, type Txn, type TxnHeader } from '@corral/data-tree';
import { serverTreeOptions } from './server-tree.js';
import { LogCorruptionError, LogGapError, zabContiguous, type SnapshotStore, type TxnLogStore } from '@corral/txn-log';
import type { Logger } from '../logger.js';

/** How often a long replay reports progress. */
export const replayProgressEvery = 100_000;

/** Why recovery refused to start: a hole in the history, or a logged txn that does not apply. */
export type RecoveryErrorKind = 'history-gap' | 'unappliable-txn';

/**
 * Start-up cannot rebuild a complete tree. The message is one line meant for
 * the operator: what is missing or broken, and the command that helps.
 */
export class RecoveryError extends Error {
  override readonly name = 'RecoveryError';
  readonly kind: RecoveryErrorKind;
  /** The zxid of the first missing or failing txn. */
  readonly zxid: bigint;

  constructor(kind: RecoveryErrorKind, zxid: bigint, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.kind = kind;
    this.zxid = zxid;
  }
}

/** Options of recoverTree. */
export interface RecoverTreeOptions {
  readonly log: TxnLogStore;
  readonly snapshots: SnapshotStore;
  readonly logger: Logger;
  readonly decodeTxn: (bytes: Uint8Array) => { header: TxnHeader; txn: Txn };
  /** Directories named in refusal messages; defaults to placeholders. */
  readonly dataLogDir?: string;
  readonly dataDir?: string;
}

/** Rebuilds the tree from the newest valid snapshot plus the log after it. */
export async function recoverTree(options: RecoverTreeOptions): Promise<DataTree> {
  const { log, logger } = options;
  const startedAt = performance.now();
  const tree = await loadNewestSnapshot(options, startedAt);
  if (log.tornTail !== null) {
    logger.warn({ from: log.tornTail.fromZxid, to: log.tornTail.toZxid, records: log.tornTail.recordCount }, 'truncated a torn log tail');
  }
  const replayFrom = tree.lastProcessedZxid;
  let replayed = 0;
  try {
    for await (const batch of log.readBatchesFrom(replayFrom)) {
      for (const record of batch) {
        if (replayed === 0) checkContinues(options, replayFrom, record.zxid);
        applyLogged(options, tree, record.zxid, record.bytes);
        replayed += 1;
        if (replayed % replayProgressEvery === 0) {
          logger.info({ replayed, zxid: record.zxid, ms: Math.round(performance.now() - startedAt) }, 'replaying the log');
        }
      }
    }
  } catch (error) {
    if (error instanceof LogGapError) throw gapError(options, error.previousZxid, error.zxid, { cause: error });
    throw error;
  }
  // An empty log reset to a base (after installing a snapshot) still claims
  // everything up to that base: a snapshot older than it leaves a hole.
  if (replayed === 0 && log.baseZxid > replayFrom) throw gapError(options, replayFrom, log.baseZxid + 1n);
  logger.info({ replayed, nodes: tree.nodeCount, zxid: tree.lastProcessedZxid, ms: Math.round(performance.now() - startedAt) }, 'recovered');
  return tree;
}

/** The newest snapshot that loads (a corrupt one falls back to the previous), or the empty tree. */
export async function loadNewestSnapshot(options: RecoverTreeOptions, startedAt: number): Promise<DataTree> {
  return (await loadNewest(options, startedAt)).tree;
}

/**
 * The newest snapshot made exact: a snapshot written across turns is fuzzy
 * between its START zxid and the zxid its walk ended at, so the log records
 * in that range are replayed over it (`{ replay: true }`, as ZooKeeper
 * replays over its fuzzy snapshots). The tree returned stands exactly at
 * the walk's end; the log above it is not touched. A log that lacks part of
 * that range is a history gap.
 */
export async function loadExactSnapshot(options: RecoverTreeOptions, startedAt: number): Promise<DataTree> {
  const { tree, walkEndZxid } = await loadNewest(options, startedAt);
  const from = tree.lastProcessedZxid;
  if (walkEndZxid === from) return tree;
  let replayed = 0;
  try {
    outer: for await (const batch of options.log.readBatchesFrom(from)) {
      for (const record of batch) {
        if (record.zxid > walkEndZxid) break outer;
        if (replayed === 0) checkContinues(options, from, record.zxid);
        applyLogged(options, tree, record.zxid, record.bytes);
        replayed += 1;
      }
    }
  } catch (error) {
    if (error instanceof LogGapError) throw gapError(options, error.previousZxid, error.zxid, { cause: error });
    throw error;
  }
  if (tree.lastProcessedZxid !== walkEndZxid) throw gapError(options, tree.lastProcessedZxid, walkEndZxid);
  options.logger.info({ replayed, zxid: zxidToHex(walkEndZxid) }, 'snapshot made exact: replayed the txns applied during its walk');
  return tree;
}

async function loadNewest(options: RecoverTreeOptions, startedAt: number): Promise<{ tree: DataTree; walkEndZxid: bigint }> {
  const { snapshots, logger } = options;
  for (const info of await snapshots.list()) {
    // One pass: chunks are checked as they stream and applied at once, so a
    // large snapshot is read once and never held whole in memory. A bad one
    // (storage checksum or tree format) falls back to the previous snapshot.
    try {
      const loader = createSnapshotLoader(serverTreeOptions);
      for await (const chunk of snapshots.open(info).chunks()) loader.push(chunk);
      const tree = loader.finish();
      logger.info({ zxid: info.zxid, nodes: tree.nodeCount, ms: Math.round(performance.now() - startedAt) }, 'snapshot loaded');
      return { tree, walkEndZxid: loader.walkEndZxid() };
    } catch (error) {
      if (!(error instanceof LogCorruptionError) && !(error instanceof CorruptDataError)) throw error;
      logger.warn({ zxid: info.zxid, error }, 'snapshot is corrupt; falling back to the previous one');
    }
  }
  return { tree: new DataTree(serverTreeOptions), walkEndZxid: 0n };
}

/** The first replayed txn must directly follow the snapshot (or be the first txn ever). */
function checkContinues(options: RecoverTreeOptions, snapshotZxid: bigint, firstZxid: bigint): void {
  const continues = snapshotZxid === 0n ? zxidCounter(firstZxid) === 1 : zabContiguous(snapshotZxid, firstZxid);
  if (!continues) throw gapError(options, snapshotZxid, firstZxid);
}

function gapError(options: RecoverTreeOptions, previousZxid: bigint, zxid: bigint, errorOptions: { cause?: unknown } = {}): RecoveryError {
  const from = previousZxid === 0n ? 'no usable snapshot' : `the newest usable snapshot (or log record) ends at zxid ${zxidToHex(previousZxid)}`;
  const dataDir = options.dataDir ?? 'DATADIR';
  const logDir = options.dataLogDir === undefined || options.dataLogDir === dataDir ? '' : ` --data-log-dir ${options.dataLogDir}`;
  return new RecoveryError(
    'history-gap',
    zxid,
    `refusing to start: ${from} but the log continues at zxid ${zxidToHex(zxid)}, so the txns between them are missing ` +
      '(was the log purged and the snapshots that covered it then removed or corrupted?). ' +
      `Restore from a backup with \`corral snapshot restore --data-dir ${dataDir}${logDir} --in BACKUP --force\`, or put the missing snapshots back.`,
    errorOptions,
  );
}

/**
 * Decodes and applies one logged txn. Any failure here is permanent (the
 * same bytes replay on every restart), so it becomes one RecoveryError that
 * names the zxid, rather than an assertion that would loop the process.
 */
function applyLogged(options: RecoverTreeOptions, tree: DataTree, zxid: bigint, bytes: Uint8Array): void {
  try {
    const { header, txn } = options.decodeTxn(bytes);
    tree.apply(header, txn, { replay: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const dataLogDir = options.dataLogDir ?? 'DATALOGDIR';
    throw new RecoveryError(
      'unappliable-txn',
      zxid,
      `refusing to start: the logged txn at zxid ${zxidToHex(zxid)} cannot be applied (${reason}); ` +
        `inspect it with \`corral log dump ${dataLogDir}\` and restore from a backup with \`corral snapshot restore\``,
      { cause: error },
    );
  }
}
