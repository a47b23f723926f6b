// Clients of a real ensemble, run by src/ensemble/ensemble-clients.test.ts.
// usage:
//   java EnsembleClientsCheck java HOSTS_A HOSTS_B
//     the Java client on server A creates /ens-clients/java; a second Java client on
//     server B syncs and reads it back, and reads /ens-clients/kazoo (written by kazoo).
//   java EnsembleClientsCheck curator HOSTS_A HOSTS_B ITERATIONS
//     two Curator clients (one starting on A, one on B) take turns on one
//     InterProcessMutex ITERATIONS times each, incrementing /ens-clients/counter under
//     it; the test kills the leader while they run.
// Prints one "name<TAB>value" line per observation.
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public class EnsembleClientsCheck {
  static void out(String name, Object value) {
    System.out.println(name + "\t" + value);
  }

  static ZooKeeper connect(String hosts) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(hosts, 10000, event -> {
      if (event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
    });
    if (!connected.await(15, TimeUnit.SECONDS)) throw new IllegalStateException("no connection to " + hosts);
    return zk;
  }

  static void javaClients(String hostsA, String hostsB) throws Exception {
    ZooKeeper a = connect(hostsA);
    ZooKeeper b = connect(hostsB);
    a.create("/ens-clients/java", "written by java on A".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    CountDownLatch synced = new CountDownLatch(1);
    b.sync("/ens-clients", (rc, path, ctx) -> synced.countDown(), null);
    synced.await(10, TimeUnit.SECONDS);
    out("java.readOnB", new String(b.getData("/ens-clients/java", false, null)));
    out("java.kazooOnB", new String(b.getData("/ens-clients/kazoo", false, null)));
    out("java.sessionsDiffer", a.getSessionId() != b.getSessionId());
    a.close();
    b.close();
  }

  static CuratorFramework curator(String hosts) throws Exception {
    CuratorFramework c = CuratorFrameworkFactory.newClient(hosts, 10000, 10000, new RetryNTimes(50, 200));
    c.start();
    if (!c.blockUntilConnected(15, TimeUnit.SECONDS)) throw new IllegalStateException("no connection to " + hosts);
    return c;
  }

  static void curatorMutex(String hostsA, String hostsB, int iterations) throws Exception {
    CuratorFramework a = curator(hostsA);
    CuratorFramework b = curator(hostsB);
    a.create().creatingParentsIfNeeded().forPath("/ens-clients/counter", "0".getBytes());
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    Thread[] threads = new Thread[2];
    CuratorFramework[] clients = {a, b};
    for (int t = 0; t < 2; t++) {
      CuratorFramework c = clients[t];
      InterProcessMutex mutex = new InterProcessMutex(c, "/ens-clients/lock");
      threads[t] = new Thread(() -> {
        for (int i = 0; i < iterations; i++) {
          try {
            if (!mutex.acquire(30, TimeUnit.SECONDS)) {
              failures.incrementAndGet();
              continue;
            }
            try {
              if (inside.incrementAndGet() != 1) overlaps.incrementAndGet();
              int value = Integer.parseInt(new String(c.getData().forPath("/ens-clients/counter")));
              Thread.sleep(20);
              // Retried by Curator after a connection loss: writing value+1 twice is harmless.
              c.setData().forPath("/ens-clients/counter", String.valueOf(value + 1).getBytes());
              inside.decrementAndGet();
            } finally {
              mutex.release();
            }
          } catch (Exception e) {
            failures.incrementAndGet();
            System.err.println("iteration failed: " + e);
          }
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) t.join();
    out("curator.counter", new String(a.getData().forPath("/ens-clients/counter")));
    out("curator.overlaps", overlaps.get());
    out("curator.failures", failures.get());
    out("curator.lockNodesLeft", a.getChildren().forPath("/ens-clients/lock").size());
    a.close();
    b.close();
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("java")) javaClients(args[1], args[2]);
    else if (args[0].equals("curator")) curatorMutex(args[1], args[2], Integer.parseInt(args[3]));
    else throw new IllegalArgumentException("unknown mode " + args[0]);
  }
}
