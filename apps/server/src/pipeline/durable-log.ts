/**
 * What the pipeline needs from storage: append txns and learn when they are
 * durable. The LevelDB log (@corral/txn-log) and the simulator's disk both
 * fit; the pipeline never assumes a write finished until told.
 */
import type { LogRecord } from '@corral/txn-log';

export type { LogRecord };

/** Append-only durable storage of txns. */
export interface DurableLog {
  /** Resolves once every record is durable (fsynced); rejects if it could not be stored. */
  append(records: readonly LogRecord[]): Promise<void>;
}
