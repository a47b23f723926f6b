/**
 * The backup commands' error, apart from backup.ts so that the CLI can tell
 * it from other failures without loading the backup code at every start.
 */

/** The backup file is malformed, corrupt or from a newer Corral. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}
