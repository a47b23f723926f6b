/** ZooKeeper's `dataDir/myid`: this server's id, one decimal number. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';

/** The id in `dataDir/myid`, or null when there is no such file. Start-up only (sync read). */
export function readMyid(dataDir: string): number | null {
  const path = join(dataDir, 'myid');
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8').trim();
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(id) || id < 0 || id > 255) throw new ConfigError('myid', `bad server id "${text}" in ${path}`);
  return id;
}
