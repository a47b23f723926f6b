/**
 * Watch kinds and removeWatches types. ZooKeeper keeps two WatchManagers,
 * dataWatches and childWatches, each holding a WatchStats (STANDARD |
 * PERSISTENT | PERSISTENT_RECURSIVE bits) per (path, connection), since
 * ZOOKEEPER-4466 (3.9). We keep one entry per (path, session) with four
 * bits, which encode both managers because DataTree always adds and removes
 * a persistent watch in both at once, and a recursive one only in dataWatches
 * (DataTree.addWatch, setWatches, removeWatch).
 */
import { AddWatchMode, WatcherType } from '@corral/base';

/**
 * Bit flags of a watch entry. `data` is a one-shot getData or exists watch
 * (ZooKeeper stores an exists watch as a data watch); `child` a one-shot
 * getChildren watch; `persistent` and `persistentRecursive` come from addWatch
 * modes 0 and 1 (ZooDefs.AddWatchModes).
 */
export const WatchKind = { data: 1, child: 2, persistent: 4, persistentRecursive: 8 } as const;

/** One bit of WatchKind. */
export type WatchKind = (typeof WatchKind)[keyof typeof WatchKind];

/** All four kind bits. */
export const watchKindMask = 15;

/** Bits that live in ZooKeeper's dataWatches manager. */
export const dataSideKinds = WatchKind.data | WatchKind.persistent | WatchKind.persistentRecursive;

/** Bits that live in ZooKeeper's childWatches manager. */
export const childSideKinds = WatchKind.child | WatchKind.persistent;

/** Watcher.WatcherType numbers of checkWatches/removeWatches requests, defined once in @corral/base. */
export { WatcherType };

/**
 * True when `value` is a WatcherType. ZooKeeper's WatcherType.fromInt throws
 * for anything else, which FinalRequestProcessor answers with
 * MARSHALLINGERROR: the server must check this before calling the index.
 */
export function isWatcherType(value: number): value is WatcherType {
  return Number.isInteger(value) && value >= WatcherType.Children && value <= WatcherType.PersistentRecursive;
}

/**
 * The kind bits a checkWatches/removeWatches of `type` matches, as
 * DataTree.containsWatcher/removeWatch map types to managers and modes:
 * Children = STANDARD in childWatches, Data = STANDARD in dataWatches,
 * Persistent = PERSISTENT in both, PersistentRecursive = dataWatches'
 * PERSISTENT_RECURSIVE, Any = everything in both.
 */
export function kindsOfWatcherType(type: WatcherType): number {
  switch (type) {
    case WatcherType.Children:
      return WatchKind.child;
    case WatcherType.Data:
      return WatchKind.data;
    case WatcherType.Any:
      return watchKindMask;
    case WatcherType.Persistent:
      return WatchKind.persistent;
    case WatcherType.PersistentRecursive:
      return WatchKind.persistentRecursive;
  }
}

/**
 * The kind an addWatch request of `mode` registers: ZooDefs.AddWatchModes
 * persistent (0) and persistentRecursive (1). Undefined for other modes,
 * where ZooKeeper's WatcherMode.fromZooDef throws and the request fails with
 * MARSHALLINGERROR.
 */
export function watchKindOfAddWatchMode(mode: number): WatchKind | undefined {
  if (mode === AddWatchMode.PERSISTENT) return WatchKind.persistent;
  if (mode === AddWatchMode.PERSISTENT_RECURSIVE) return WatchKind.persistentRecursive;
  return undefined;
}
