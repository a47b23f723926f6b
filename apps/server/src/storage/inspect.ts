/**
 * `corral log dump` and `corral snapshot dump`: readable listings of what
 * is stored, like ZooKeeper's LogFormatter and SnapshotFormatter.
 */
import { decodeTxn } from '@corral/data-tree';
import { dumpLog, dumpSnapshots } from '@corral/txn-log';

function describeTxn(bytes: Uint8Array): string {
  try {
    const { header, txn } = decodeTxn(bytes);
    const { type: _type, ...fields } = txn as unknown as Record<string, unknown>;
    const shown = JSON.stringify(fields, (_key, value: unknown) =>
      typeof value === 'bigint' ? `0x${value.toString(16)}` : value instanceof Uint8Array ? `#${Buffer.from(value).toString('hex')}` : value);
    return `session 0x${header.sessionId.toString(16)} cxid ${header.cxid} time ${new Date(header.time).toISOString()} type ${header.type} ${shown}`;
  } catch (error) {
    return `undecodable txn: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Prints every record of the log in DIR. */
export async function dumpLogCommand(dir: string): Promise<void> {
  await dumpLog(dir, (line) => process.stdout.write(`${line}\n`), { describe: describeTxn });
}

/** Prints the snapshots in DIR. */
export async function dumpSnapshotCommand(dir: string): Promise<void> {
  await dumpSnapshots(dir, (line) => process.stdout.write(`${line}\n`));
}
