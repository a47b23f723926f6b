/**
 * What the gRPC front reads of the server's state, always through getters:
 * an ensemble member's tree is replaced by a SNAP install or a rebuild, so a
 * reference captured at start would go stale. The Driver implements it.
 */
import type { DataTree, WatchManager } from '@corral/data-tree';

/** The applied tree, the watch index and whether clients are served, read at each use. */
export interface ServedState {
  /** The applied tree now (a new object after a SNAP install or a rebuild). */
  readonly tree: DataTree;
  /** The watch index of this server's sessions. */
  readonly watches: WatchManager;
  /** False while electing or syncing: calls get UNAVAILABLE, health says NOT_SERVING. */
  readonly serving: boolean;
  /**
   * True while a member without a quorum serves read-only clients
   * (`readonlymode.enabled`): read-only streams and unary reads are served
   * from this tree, writes answer NOTREADONLY. `serving` is false meanwhile.
   */
  readonly readOnly: boolean;
}
