/**
 * Opens the LevelDB log (under dataLogDir) and snapshot store (under
 * dataDir) together, as ZooKeeper's FileTxnSnapLog does, and finishes an
 * interrupted snapshot install before anyone replays.
 */
import { LevelSnapshotStore } from './level-snapshot-store.js';
import { LevelTxnLog } from './level-txn-log.js';
import type { ContiguityCheck } from './contiguity.js';
import type { TxnLogLimits } from './limits.js';
import { completeSnapshotInstall, type Storage } from './storage-ops.js';
import { silentLogger, type StorageLogger } from './store.js';

/** Options of openStorage. */
export interface OpenStorageOptions {
  /** Snapshots: `<dataDir>/snapshots`. */
  readonly dataDir: string;
  /** Log: `<dataLogDir>/txn-log`; defaults to dataDir, as in ZooKeeper. */
  readonly dataLogDir?: string;
  readonly limits?: Partial<TxnLogLimits>;
  readonly logger?: StorageLogger;
  readonly checkContiguous?: ContiguityCheck | false;
  /**
   * Redo the log reset of a snapshot install interrupted after its commit
   * (default true). The server's Driver passes false: it installs a leader's
   * SNAP with its records in one log write after the snapshot, so an
   * interrupted install is rolled back there instead (the sync never happened).
   */
  readonly completeSnapshotInstall?: boolean;
}

/** Opened storage; close() closes both stores. */
export interface OpenedStorage extends Storage {
  close(): Promise<void>;
}

/** Opens both LevelDB stores. */
export async function openStorage(options: OpenStorageOptions): Promise<OpenedStorage> {
  const logger = options.logger ?? silentLogger;
  const snapshots = await LevelSnapshotStore.open({ dataDir: options.dataDir, limits: options.limits, logger });
  let log: LevelTxnLog;
  try {
    log = await LevelTxnLog.open({
      dataLogDir: options.dataLogDir ?? options.dataDir,
      limits: options.limits,
      logger,
      ...(options.checkContiguous === undefined ? {} : { checkContiguous: options.checkContiguous }),
    });
  } catch (error) {
    await snapshots.close();
    throw error;
  }
  const storage = {
    log,
    snapshots,
    close: async (): Promise<void> => {
      await log.close();
      await snapshots.close();
    },
  };
  try {
    if (options.completeSnapshotInstall !== false) await completeSnapshotInstall(storage, logger);
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}
