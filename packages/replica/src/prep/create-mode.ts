/** ZooKeeper's CreateMode flags and what each implies. */

/** The attributes of one CreateMode flag value. */
export interface CreateModeInfo {
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl: boolean;
}

const modes: ReadonlyMap<number, CreateModeInfo> = new Map([
  [0, { ephemeral: false, sequential: false, container: false, ttl: false }],
  [1, { ephemeral: true, sequential: false, container: false, ttl: false }],
  [2, { ephemeral: false, sequential: true, container: false, ttl: false }],
  [3, { ephemeral: true, sequential: true, container: false, ttl: false }],
  [4, { ephemeral: false, sequential: false, container: true, ttl: false }],
  [5, { ephemeral: false, sequential: false, container: false, ttl: true }],
  [6, { ephemeral: false, sequential: true, container: false, ttl: true }],
]);

/** CreateMode.fromFlag: undefined for a flag ZooKeeper rejects with BADARGUMENTS. */
export function createModeFromFlag(flags: number): CreateModeInfo | undefined {
  return modes.get(flags);
}
