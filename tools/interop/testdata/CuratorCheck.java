// Interop checks with Apache Curator 5.4 (which always uses create2 and setWatches2),
// run by src/curator.test.ts. usage: java CuratorCheck HOSTS [HOSTS_B]
// Client b takes HOSTS_B when given (an ensemble test puts a and b on different servers);
// a syncs before reading what b wrote. Prints one "name<TAB>value" line per observation.
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;

public class CuratorCheck {
  static void out(String name, Object value) {
    System.out.println(name + "\t" + value);
  }

  static CuratorFramework client(String hosts) throws Exception {
    CuratorFramework c = CuratorFrameworkFactory.newClient(hosts, 10000, 10000, new RetryOneTime(200));
    c.start();
    if (!c.blockUntilConnected(15, TimeUnit.SECONDS)) throw new IllegalStateException("no connection");
    return c;
  }

  /** Curator's sync runs in the background only: wait for its callback. */
  static void sync(CuratorFramework c, String path) throws Exception {
    CountDownLatch synced = new CountDownLatch(1);
    c.sync().inBackground((client, event) -> synced.countDown()).forPath(path);
    if (!synced.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("sync did not answer");
  }

  /** Children of a container node, which the server may already have removed once empty (0 then). */
  static int childCount(CuratorFramework c, String path) throws Exception {
    try {
      return c.getChildren().forPath(path).size();
    } catch (KeeperException.NoNodeException e) {
      return 0;
    }
  }

  public static void main(String[] args) throws Exception {
    CuratorFramework a = client(args[0]);
    CuratorFramework b = client(args.length > 1 ? args[1] : args[0]);

    // InterProcessMutex: exclusion, then hand-over, then a read-modify-write race under the lock.
    InterProcessMutex lockA = new InterProcessMutex(a, "/cu/lock");
    InterProcessMutex lockB = new InterProcessMutex(b, "/cu/lock");
    out("mutex.aAcquired", lockA.acquire(10, TimeUnit.SECONDS));
    out("mutex.bWhileHeld", lockB.acquire(500, TimeUnit.MILLISECONDS));
    lockA.release();
    out("mutex.bAfterRelease", lockB.acquire(10, TimeUnit.SECONDS));
    lockB.release();
    a.create().creatingParentsIfNeeded().forPath("/cu/counter", "0".getBytes());
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger inside = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (CuratorFramework c : new CuratorFramework[] {a, b}) {
      InterProcessMutex mutex = new InterProcessMutex(c, "/cu/lock");
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < 10; i++) {
            mutex.acquire();
            try {
              if (inside.incrementAndGet() != 1) overlaps.incrementAndGet();
              int value = Integer.parseInt(new String(c.getData().forPath("/cu/counter")));
              c.setData().forPath("/cu/counter", String.valueOf(value + 1).getBytes());
              inside.decrementAndGet();
            } finally {
              mutex.release();
            }
          }
        } catch (Exception e) {
          overlaps.addAndGet(1000);
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join(60000);
    sync(a, "/cu/counter");
    out("mutex.counter", new String(a.getData().forPath("/cu/counter")));
    out("mutex.overlaps", overlaps.get());
    out("mutex.lockNodesLeft", childCount(a, "/cu/lock"));

    // LeaderLatch: exactly one leader; closing it hands leadership to the other.
    LeaderLatch latchA = new LeaderLatch(a, "/cu/leader", "a");
    LeaderLatch latchB = new LeaderLatch(b, "/cu/leader", "b");
    latchA.start();
    out("latch.aLeads", latchA.await(10, TimeUnit.SECONDS));
    latchB.start();
    out("latch.bLeadsWhileAHolds", latchB.await(1, TimeUnit.SECONDS));
    out("latch.participants", latchB.getParticipants().size());
    out("latch.leaderId", latchB.getLeader().getId());
    latchA.close();
    out("latch.bLeadsAfterClose", latchB.await(10, TimeUnit.SECONDS));
    latchB.close();

    // CuratorCache: sees creates, changes and deletes below its root, in order.
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    CountDownLatch initialized = new CountDownLatch(1);
    a.create().creatingParentsIfNeeded().forPath("/cu/cache/pre", "p".getBytes());
    CuratorCache cache = CuratorCache.build(a, "/cu/cache");
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreates(node -> events.add("created " + node.getPath() + " " + new String(node.getData())))
        .forChanges((before, after) -> events.add("changed " + after.getPath() + " " + new String(after.getData())))
        .forDeletes(node -> events.add("deleted " + node.getPath()))
        .forInitialized(initialized::countDown)
        .build());
    cache.start();
    out("cache.initialized", initialized.await(10, TimeUnit.SECONDS));
    List<String> initial = new ArrayList<>();
    events.drainTo(initial);
    Collections.sort(initial);
    out("cache.initial", String.join(",", initial));
    b.create().forPath("/cu/cache/x", "1".getBytes());
    out("cache.event1", events.poll(10, TimeUnit.SECONDS));
    b.setData().forPath("/cu/cache/x", "2".getBytes());
    out("cache.event2", events.poll(10, TimeUnit.SECONDS));
    b.create().forPath("/cu/cache/x/y", "3".getBytes());
    out("cache.event3", events.poll(10, TimeUnit.SECONDS));
    b.delete().deletingChildrenIfNeeded().forPath("/cu/cache/x");
    List<String> deletes = new ArrayList<>();
    for (int i = 0; i < 2; i++) deletes.add(events.poll(10, TimeUnit.SECONDS));
    Collections.sort(deletes);
    out("cache.deletes", String.join(",", deletes));
    out("cache.size", cache.size());
    cache.close();
    a.close();
    b.close();
  }
}
