// Prints the bytes Apache ZooKeeper's own jute classes produce for a fixed set
// of records, one "name hex" line each, so @corral/wire can be compared byte
// for byte (src/java-golden.test.ts). Each case is RequestHeader/ReplyHeader +
// record exactly as the client or server writes it after the length prefix.
// The values must match the TypeScript cases of the same name.
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.*;

public class JuteGolden {
    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static void print(String name, Record... records) throws Exception {
        printWithFlag(name, null, records);
    }

    // Up to 3.8 the readOnly flag is not part of the ConnectRequest/Response
    // records: ClientCnxnSocket and ZooKeeperServer write it after the record.
    // From 3.9 it is a record field. Either way the bytes are the same.
    static void printWithFlag(String name, Boolean trailing, Record... records) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryOutputArchive archive = BinaryOutputArchive.getArchive(out);
        for (Record r : records) r.serialize(archive, "r");
        if (trailing != null) archive.writeBool(trailing, "readOnly");
        StringBuilder hex = new StringBuilder();
        for (byte b : out.toByteArray()) hex.append(String.format("%02x", b & 0xff));
        System.out.println(name + " " + hex);
    }

    /** Sets readOnly where the record has it (3.9+); false when it must be appended by hand. */
    static boolean setReadOnly(Object record, boolean value) {
        try {
            record.getClass().getMethod("setReadOnly", boolean.class).invoke(record, value);
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    public static void main(String[] args) throws Exception {
        Stat stat = new Stat(0x100000001L, 0x100000002L, 1700000000123L, 1700000000456L, 3, -1, 7,
            -0x7edcba9876543210L, 5, 2, 0x100000003L);
        List<ACL> acl = Arrays.asList(
            new ACL(31, new Id("world", "anyone")),
            new ACL(3, new Id("digest", "user:hash=")));
        byte[] pw7 = new byte[16]; Arrays.fill(pw7, (byte) 7);
        byte[] pw1 = new byte[16]; Arrays.fill(pw1, (byte) 1);

        ConnectRequest connect = new ConnectRequest();
        connect.setProtocolVersion(0);
        connect.setLastZxidSeen(0x1234L);
        connect.setTimeOut(30000);
        connect.setSessionId(-2L);
        connect.setPasswd(pw7);
        printWithFlag("connectRequest", setReadOnly(connect, true) ? null : Boolean.TRUE, connect);
        ConnectResponse accept = new ConnectResponse();
        accept.setProtocolVersion(0);
        accept.setTimeOut(4000);
        accept.setSessionId(0x1000000abL);
        accept.setPasswd(pw1);
        printWithFlag("connectResponse", setReadOnly(accept, false) ? null : Boolean.FALSE, accept);
        print("stat", stat);
        print("create", new RequestHeader(17, 1), new CreateRequest("/a", utf8("hello"), acl, 0));
        print("create2", new RequestHeader(18, 15), new CreateRequest("/b", new byte[0], acl.subList(0, 1), 3));
        print("createTTL", new RequestHeader(19, 21), new CreateTTLRequest("/ttl", utf8("t"), acl, 5, 60000L));
        print("getData", new RequestHeader(20, 4), new GetDataRequest("/\u00fcn\u00efc\u00f8d\u00e9/\u8def\u5f84", false));
        print("exists", new RequestHeader(24, 3), new ExistsRequest("/a", true));
        print("setData", new RequestHeader(25, 5), new SetDataRequest("/a", utf8("v2"), 4));
        print("delete", new RequestHeader(26, 2), new DeleteRequest("/a", -1));
        print("setACL", new RequestHeader(27, 7), new SetACLRequest("/a", acl, 2));
        print("getEphemerals", new RequestHeader(28, 103), new GetEphemeralsRequest("/e"));
        print("removeWatches", new RequestHeader(29, 18), new RemoveWatchesRequest("/w", 1));
        print("addWatch", new RequestHeader(22, 106), new AddWatchRequest("/w", 1));
        print("ping", new RequestHeader(-2, 11));
        print("auth", new RequestHeader(-4, 100), new AuthPacket(0, "digest", utf8("user:pw")));
        print("setWatches2", new RequestHeader(-8, 105), new SetWatches2(0x56L,
            Arrays.asList("/d"), Arrays.asList("/x"), new ArrayList<String>(), Arrays.asList("/p"), Arrays.asList("/pr", "/pr2")));
        print("reconfig", new RequestHeader(30, 16), new ReconfigRequest("server.4=h:2888:3888", null, null, -1L));
        List<Op> ops = Arrays.asList(
            Op.create("/m1", utf8("1"), acl, CreateMode.PERSISTENT),
            Op.delete("/m0", 3),
            Op.setData("/m1", utf8("z"), -1),
            Op.check("/m1", 1));
        print("multi", new RequestHeader(21, 14), new MultiOperationRecord(ops));
        print("multiRead", new RequestHeader(31, 22), new MultiOperationRecord(Arrays.asList(
            Op.getData("/r1"), Op.getChildren("/r2"))));

        print("replyGetData", new ReplyHeader(23, 0x300000007L, 0), new GetDataResponse(utf8("hello"), stat));
        print("replyCreate2", new ReplyHeader(23, 0x300000007L, 0), new Create2Response("/b0000000001", stat));
        print("replyGetChildren2", new ReplyHeader(23, 0x300000007L, 0), new GetChildren2Response(Arrays.asList("x", "y", "z\u00e9"), stat));
        print("replyGetACL", new ReplyHeader(23, 0x300000007L, 0), new GetACLResponse(acl, stat));
        print("replyExists", new ReplyHeader(23, 0x300000007L, 0), new ExistsResponse(stat));
        print("replySync", new ReplyHeader(23, 0x300000007L, 0), new SyncResponse("/a"));
        print("replyAddWatch", new ReplyHeader(23, 0x300000007L, 0), new ErrorResponse(0));
        print("replyWhoAmI", new ReplyHeader(23, 0x300000007L, 0), new WhoAmIResponse(Arrays.asList(new ClientInfo("ip", "127.0.0.1"))));
        print("replyError", new ReplyHeader(5, 9L, -101));
        MultiResponse multi = new MultiResponse();
        multi.add(new OpResult.CreateResult("/m1"));
        multi.add(new OpResult.CreateResult("/m2", stat));
        multi.add(new OpResult.DeleteResult());
        multi.add(new OpResult.SetDataResult(stat));
        multi.add(new OpResult.CheckResult());
        multi.add(new OpResult.ErrorResult(-101));
        print("replyMulti", new ReplyHeader(23, 0x300000007L, 0), multi);
        MultiResponse multiRead = new MultiResponse();
        multiRead.add(new OpResult.GetDataResult(utf8("d"), stat));
        multiRead.add(new OpResult.GetChildrenResult(Arrays.asList("a")));
        multiRead.add(new OpResult.ErrorResult(-101));
        print("replyMultiRead", new ReplyHeader(23, 0x300000007L, 0), multiRead);
        print("notification", new ReplyHeader(-1, -1L, 0), new WatcherEvent(3, 3, "/a"));
    }
}
