/** ZooKeeper's CreateMode flags and what each implies. */
import { CreateMode } from '@corral/wire';

/** The attributes of one CreateMode flag value. */
export interface CreateModeInfo {
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl: boolean;
}

const modes: ReadonlyMap<number, CreateModeInfo> = new Map([
  [CreateMode.PERSISTENT, { ephemeral: false, sequential: false, container: false, ttl: false }],
  [CreateMode.EPHEMERAL, { ephemeral: true, sequential: false, container: false, ttl: false }],
  [CreateMode.PERSISTENT_SEQUENTIAL, { ephemeral: false, sequential: true, container: false, ttl: false }],
  [CreateMode.EPHEMERAL_SEQUENTIAL, { ephemeral: true, sequential: true, container: false, ttl: false }],
  [CreateMode.CONTAINER, { ephemeral: false, sequential: false, container: true, ttl: false }],
  [CreateMode.PERSISTENT_WITH_TTL, { ephemeral: false, sequential: false, container: false, ttl: true }],
  [CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, { ephemeral: false, sequential: true, container: false, ttl: true }],
]);

/** CreateMode.fromFlag: undefined for a flag ZooKeeper rejects with BADARGUMENTS. */
export function createModeFromFlag(flags: number): CreateModeInfo | undefined {
  return modes.get(flags);
}
