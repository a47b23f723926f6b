/**
 * acceptedEpoch and currentEpoch, persisted as ZooKeeper keeps them: one
 * small decimal file each in dataDir, replaced atomically (write a temp
 * file, fsync it, rename, fsync the directory) before broadcast acts on
 * them (broadcast's Ready.hardState, STYLE §2).
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { HardState } from '@corral/broadcast';

const acceptedFile = 'acceptedEpoch';
const currentFile = 'currentEpoch';

/** The epochs on disk, or null when this data dir has never run the replica core. */
export async function readEpochs(dataDir: string): Promise<HardState | null> {
  const accepted = await readEpoch(join(dataDir, acceptedFile));
  const current = await readEpoch(join(dataDir, currentFile));
  if (accepted === null || current === null) return null;
  return { acceptedEpoch: accepted, currentEpoch: current };
}

/** Makes both epochs durable: acceptedEpoch first, as ZooKeeper raises it before currentEpoch. */
export async function writeEpochs(dataDir: string, state: HardState): Promise<void> {
  await writeDurably(dataDir, acceptedFile, String(state.acceptedEpoch));
  await writeDurably(dataDir, currentFile, String(state.currentEpoch));
}

async function readEpoch(path: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${path} holds "${text.trim()}", not an epoch`);
  return value;
}

async function writeDurably(dir: string, name: string, text: string): Promise<void> {
  const temp = join(dir, `${name}.tmp`);
  const file = await open(temp, 'w');
  try {
    await file.writeFile(text);
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temp, join(dir, name));
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
