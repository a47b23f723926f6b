// Interop checks with Apache's Java client (3.8), run by src/java-client.test.ts.
// usage: java JavaClientCheck HOSTS [OTHER_HOSTS [MOVER_HOSTS]]
// Connect strings of the three clients (the first for the ones not given), so an ensemble
// test can put them on different servers; the mover's socket is dropped, and with two
// hosts it moves to the other one. A client waiting for events caused by another syncs
// first, as ZooKeeper orders nothing across servers without it.
// Prints one "name<TAB>value" line per observation; the test compares them with what
// ZooKeeper 3.8 gives. Exceptions other than KeeperException end the run with "crash".
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Stat;

public class JavaClientCheck {
  static void out(String name, Object value) {
    System.out.println(name + "\t" + value);
  }

  static ZooKeeper connect(String hosts, BlockingQueue<WatchedEvent> states) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(hosts, 10000, event -> {
      if (event.getType() == Watcher.Event.EventType.None) {
        if (states != null) states.add(event);
        if (event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
      }
    });
    if (!connected.await(15, TimeUnit.SECONDS)) throw new IllegalStateException("no connection");
    return zk;
  }

  static String code(KeeperException e) {
    return e.code().name();
  }

  /** The next node event; state events (type None, sent to every watcher on a reconnect) are skipped. */
  static String take(BlockingQueue<WatchedEvent> events) throws InterruptedException {
    while (true) {
      WatchedEvent e = events.poll(10, TimeUnit.SECONDS);
      if (e == null) return "none";
      if (e.getType() != Watcher.Event.EventType.None) return e.getType() + " " + e.getPath();
    }
  }

  /** Events already delivered: a sync and a round trip on the session first (notifications precede replies). */
  static List<String> drain(ZooKeeper zk, BlockingQueue<WatchedEvent> events) throws Exception {
    CountDownLatch synced = new CountDownLatch(1);
    zk.sync("/", (rc, p, ctx) -> synced.countDown(), null);
    if (!synced.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("sync did not answer");
    zk.exists("/", false);
    List<String> seen = new ArrayList<>();
    WatchedEvent e;
    while ((e = events.poll(200, TimeUnit.MILLISECONDS)) != null) {
      if (e.getType() != Watcher.Event.EventType.None) seen.add(e.getType() + " " + e.getPath());
    }
    return seen;
  }

  public static void main(String[] args) throws Exception {
    String hosts = args[0];
    String otherHosts = args.length > 1 ? args[1] : hosts;
    String moverHosts = args.length > 2 ? args[2] : hosts;
    ZooKeeper zk = connect(hosts, null);
    ZooKeeper other = connect(otherHosts, null);
    byte[] none = new byte[0];

    Stat created = new Stat();
    String path = zk.create("/jc", "hello".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, created);
    out("create2.path", path);
    out("create2.stat", created.getVersion() + "," + created.getDataLength() + "," + (created.getCzxid() == created.getMzxid()) + "," + (created.getCzxid() > 0));
    try {
      zk.create("/jc", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, new Stat());
      out("create2.duplicate", "OK");
    } catch (KeeperException e) {
      out("create2.duplicate", code(e));
    }

    BlockingQueue<WatchedEvent> dataEvents = new LinkedBlockingQueue<>();
    Stat got = new Stat();
    byte[] data = zk.getData("/jc", dataEvents::add, got);
    out("getData", new String(data) + "," + got.getVersion() + "," + (got.getMzxid() == created.getMzxid()));
    Stat set = other.setData("/jc", "world".getBytes(), 0);
    out("setData.version", set.getVersion());
    out("getData.watch", take(dataEvents));
    try {
      other.setData("/jc", none, 0);
      out("setData.stale", "OK");
    } catch (KeeperException e) {
      out("setData.stale", code(e));
    }

    List<OpResult> results = zk.multi(Arrays.asList(
        Op.create("/jc/m", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
        Op.check("/jc", 1),
        Op.setData("/jc/m", "m".getBytes(), 0),
        Op.delete("/jc/m", 1)));
    List<String> kinds = new ArrayList<>();
    for (OpResult r : results) kinds.add(r.getClass().getSimpleName());
    out("multi.ok", String.join(",", kinds));
    try {
      zk.multi(Arrays.asList(
          Op.create("/jc/m", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
          Op.delete("/jc/nope", -1),
          Op.setData("/jc", none, -1)));
      out("multi.failed", "OK");
    } catch (KeeperException e) {
      List<String> codes = new ArrayList<>();
      for (OpResult r : e.getResults()) codes.add(String.valueOf(((OpResult.ErrorResult) r).getErr()));
      out("multi.failed", code(e) + ":" + String.join(",", codes));
    }

    for (String child : new String[] {"c", "a", "b"}) zk.create("/jc/" + child, none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    zk.create("/jc/a/x", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    zk.create("/jc/e1", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    zk.create("/jc/a/e2", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    Stat parent = new Stat();
    List<String> children = new ArrayList<>(zk.getChildren("/jc", false, parent));
    Collections.sort(children);
    out("getChildren2", String.join(",", children) + "|" + parent.getNumChildren() + "," + parent.getCversion());
    out("getAllChildrenNumber", zk.getAllChildrenNumber("/jc"));
    out("getAllChildrenNumber.root", zk.getAllChildrenNumber("/jc/a/x"));
    List<String> ephemerals = new ArrayList<>(zk.getEphemerals("/jc"));
    Collections.sort(ephemerals);
    out("getEphemerals", String.join(",", ephemerals));
    out("getEphemerals.other", other.getEphemerals().size());

    BlockingQueue<WatchedEvent> recursive = new LinkedBlockingQueue<>();
    zk.addWatch("/jc/r", recursive::add, AddWatchMode.PERSISTENT_RECURSIVE);
    other.create("/jc/r", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    other.create("/jc/r/a", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    other.setData("/jc/r/a", "x".getBytes(), -1);
    other.setData("/jc/r/a", "y".getBytes(), -1);
    other.delete("/jc/r/a", -1);
    out("addWatch.recursive", String.join(",", drain(zk, recursive)));

    BlockingQueue<WatchedEvent> removed = new LinkedBlockingQueue<>();
    Watcher removable = removed::add;
    zk.getData("/jc/c", removable, null);
    zk.removeWatches("/jc/c", removable, Watcher.WatcherType.Data, false);
    other.setData("/jc/c", "x".getBytes(), -1);
    out("removeWatches", String.join(",", drain(zk, removed)));
    try {
      zk.removeWatches("/jc/b", removable, Watcher.WatcherType.Any, false);
      out("removeWatches.none", "OK");
    } catch (KeeperException e) {
      out("removeWatches.none", code(e));
    }

    List<String> who = new ArrayList<>();
    for (ClientInfo info : zk.whoAmI()) who.add(info.getAuthScheme() + ":" + info.getUser());
    zk.addAuthInfo("digest", "user:pw".getBytes());
    for (ClientInfo info : zk.whoAmI()) who.add("after:" + info.getAuthScheme() + ":" + info.getUser());
    Collections.sort(who);
    out("whoAmI", String.join(",", who));

    CountDownLatch synced = new CountDownLatch(1);
    int[] syncRc = {99};
    zk.sync("/jc", (rc, p, ctx) -> {
      syncRc[0] = rc;
      synced.countDown();
    }, null);
    synced.await(10, TimeUnit.SECONDS);
    out("sync.rc", syncRc[0]);

    // setWatches: drop the socket under the client; it reconnects to the same session and
    // re-registers its watches (SetWatches2, as a persistent watch exists).
    BlockingQueue<WatchedEvent> states = new LinkedBlockingQueue<>();
    ZooKeeper mover = connect(moverHosts, states);
    mover.create("/jc/sw", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    BlockingQueue<WatchedEvent> kept = new LinkedBlockingQueue<>();
    mover.getData("/jc/sw", kept::add, null);
    mover.exists("/jc/sw/new", kept::add);
    BlockingQueue<WatchedEvent> keptPersistent = new LinkedBlockingQueue<>();
    mover.addWatch("/jc/sw", keptPersistent::add, AddWatchMode.PERSISTENT);
    long sessionBefore = mover.getSessionId();
    states.clear();
    closeSocket(mover);
    other.setData("/jc/sw", "changed".getBytes(), -1);
    WatchedEvent state;
    List<String> transitions = new ArrayList<>();
    while ((state = states.poll(15, TimeUnit.SECONDS)) != null) {
      transitions.add(state.getState().name());
      if (state.getState() == Watcher.Event.KeeperState.SyncConnected) break;
    }
    out("reconnect.states", String.join(",", transitions));
    out("reconnect.sameSession", mover.getSessionId() == sessionBefore);
    out("setWatches.data", take(kept));
    other.create("/jc/sw/new", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    out("setWatches.exists", take(kept));
    out("setWatches.persistent", String.join(",", drain(mover, keptPersistent)));
    mover.close();
    zk.close();
    other.close();
  }

  static void closeSocket(ZooKeeper zk) throws Exception {
    Field cnxnField = ZooKeeper.class.getDeclaredField("cnxn");
    cnxnField.setAccessible(true);
    Object cnxn = cnxnField.get(zk);
    Field sendThreadField = cnxn.getClass().getDeclaredField("sendThread");
    sendThreadField.setAccessible(true);
    Object sendThread = sendThreadField.get(cnxn);
    Method close = sendThread.getClass().getDeclaredMethod("testableCloseSocket");
    close.setAccessible(true);
    close.invoke(sendThread);
  }
}
