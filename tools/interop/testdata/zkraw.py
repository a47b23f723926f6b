"""Low-level ZooKeeper requests kazoo 2.8 lacks (containers, TTL, multi with per-op codes),
error-code names, and a raw-socket session that can go silent (to force expiry).

Shared by kazoo_checks.py and diff_driver.py. Uses kazoo's jute helpers only.
"""
import socket
import struct
import threading

from kazoo.exceptions import EXCEPTIONS, ZookeeperError
from kazoo.protocol.serialization import (
    Connect, Create, Create2, Delete, SetData, CheckVersion, GetData, ZnodeStat,
    int_struct, multiheader_struct, stat_struct, read_buffer, read_string, write_string, write_buffer,
    long_struct, reply_header_struct, MultiHeader,
)
from kazoo.protocol.states import Callback
from kazoo.security import OPEN_ACL_UNSAFE

# KeeperException.Code names, as ZooKeeper's Java client spells them.
CODE_NAMES = {
    0: 'OK', -1: 'SystemError', -2: 'RuntimeInconsistency', -3: 'DataInconsistency',
    -4: 'ConnectionLoss', -5: 'MarshallingError', -6: 'Unimplemented', -7: 'OperationTimeout',
    -8: 'BadArguments', -13: 'NewConfigNoQuorum', -14: 'ReconfigInProgress',
    -15: 'UnknownSession', -100: 'APIError', -101: 'NoNode', -102: 'NoAuth',
    -103: 'BadVersion', -108: 'NoChildrenForEphemerals', -110: 'NodeExists',
    -111: 'NotEmpty', -112: 'SessionExpired', -113: 'InvalidCallback', -114: 'InvalidACL',
    -115: 'AuthFailed', -118: 'SessionMoved', -119: 'NotReadOnly', -120: 'EphemeralOnLocalSession',
    -121: 'NoWatcher', -122: 'RequestTimeout', -123: 'ReconfigDisabled',
    -124: 'SessionClosedRequireSasl', -125: 'QuotaExceeded', -127: 'Throttled',
}
CLASS_TO_CODE = {cls.__name__: code for code, cls in EXCEPTIONS.items()}

FLAG_EPHEMERAL = 1
FLAG_SEQUENTIAL = 2
MODE_FLAGS = {
    'persistent': 0, 'ephemeral': 1, 'sequential': 2, 'ephemeral_sequential': 3,
    'container': 4, 'ttl': 5, 'ttl_sequential': 6,
}


def error_name(exc):
    """ZooKeeper code name for a kazoo exception (ConnectionLoss for a dropped socket)."""
    code = getattr(exc, 'code', None)
    if isinstance(code, int) and code in CODE_NAMES:
        return CODE_NAMES[code]
    name = type(exc).__name__
    if name in CLASS_TO_CODE and CLASS_TO_CODE[name] in CODE_NAMES:
        return CODE_NAMES[CLASS_TO_CODE[name]]
    if name in ('ConnectionLoss', 'ConnectionClosedError', 'ConnectionDropped', 'SessionExpiredError'):
        return 'ConnectionLoss' if name != 'SessionExpiredError' else 'SessionExpired'
    return name


def write_acls(acls):
    b = bytearray(int_struct.pack(len(acls)))
    for acl in acls:
        b.extend(int_struct.pack(acl.perms) + write_string(acl.id.scheme) + write_string(acl.id.id))
    return b


def read_stat(buf, offset):
    return ZnodeStat._make(stat_struct.unpack_from(buf, offset)), offset + stat_struct.size


class CreateContainer(Create2):
    """createContainer (opcode 19): Create2's body with flags=4, answers path + Stat."""
    type = 19


class CreateTTL(object):
    """createTTL (opcode 21): CreateTTLRequest(path, data, acl, flags, ttl) → Create2Response."""
    type = 21

    def __init__(self, path, data, acl, flags, ttl):
        self.path, self.data, self.acl, self.flags, self.ttl = path, data, acl, flags, ttl

    def serialize(self):
        b = bytearray()
        b.extend(write_string(self.path))
        b.extend(write_buffer(self.data))
        b.extend(write_acls(self.acl))
        b.extend(int_struct.pack(self.flags))
        b.extend(long_struct.pack(self.ttl))
        return b

    @classmethod
    def deserialize(cls, buf, offset):
        path, offset = read_string(buf, offset)
        stat, offset = read_stat(buf, offset)
        return path, stat


class Multi(object):
    """multi (opcode 14) that returns one (type, code, payload) per op instead of raising,
    so a failing op in the middle is visible with every other op's code."""
    type = 14

    def __init__(self, ops):
        self.ops = ops

    def serialize(self):
        b = bytearray()
        for op in self.ops:
            b.extend(MultiHeader(op.type, False, -1).serialize() + op.serialize())
        return b + multiheader_struct.pack(-1, True, -1)

    @classmethod
    def deserialize(cls, buf, offset):
        results = []
        while True:
            header, offset = MultiHeader.deserialize(buf, offset)
            if header.done:
                return results
            if header.type in (Create.type,):
                path, offset = read_string(buf, offset)
                results.append({'type': 'create', 'code': 'OK', 'path': path})
            elif header.type in (Create2.type, CreateContainer.type, CreateTTL.type):
                path, offset = read_string(buf, offset)
                stat, offset = read_stat(buf, offset)
                results.append({'type': 'create2', 'code': 'OK', 'path': path, 'stat': stat})
            elif header.type == Delete.type:
                results.append({'type': 'delete', 'code': 'OK'})
            elif header.type == SetData.type:
                stat, offset = read_stat(buf, offset)
                results.append({'type': 'set', 'code': 'OK', 'stat': stat})
            elif header.type == CheckVersion.type:
                results.append({'type': 'check', 'code': 'OK'})
            elif header.type == GetData.type:
                data, offset = read_buffer(buf, offset)
                stat, offset = read_stat(buf, offset)
                results.append({'type': 'get', 'code': 'OK', 'data': data, 'stat': stat})
            elif header.type == -1:
                err = int_struct.unpack_from(buf, offset)[0]
                offset += int_struct.size
                results.append({'type': 'error', 'code': CODE_NAMES.get(err, str(err))})
            else:
                raise ValueError('unexpected multi result type %d' % header.type)


class MultiRead(Multi):
    """multiRead (opcode 22) of GetData ops: one (type, code, payload) per op."""
    type = 22


def call(client, request, timeout=10):
    """Sends a raw request through kazoo's connection; raises kazoo exceptions."""
    result = client.handler.async_result()
    client._call(request, result)
    return result.get(timeout=timeout)


def flush_callbacks(client, timeout=10):
    """Returns once every watch callback queued so far has run: sync (so the server has sent
    every notification ordered before it), then wait for a marker on kazoo's callback queue."""
    client.sync('/')
    done = threading.Event()
    client.handler.dispatch_callback(Callback('watch', done.set, ()))
    if not done.wait(timeout):
        raise RuntimeError('watch callback queue did not drain')


class RawSession(object):
    """A session over a bare socket: connect, send requests, then go silent so the server
    expires it (kazoo always pings, so it cannot do this)."""

    def __init__(self, host, port, timeout_ms):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.xid = 0
        body = Connect(0, 0, timeout_ms, 0, b'\x00' * 16, False).serialize()
        self._send(body)
        reply = self._recv()
        connect, _ = Connect.deserialize(reply, 0)
        self.session_id = connect.session_id
        self.timeout_ms = connect.time_out

    def _send(self, body):
        self.sock.sendall(int_struct.pack(len(body)) + bytes(body))

    def _recv(self):
        head = self._recv_exact(4)
        (length,) = int_struct.unpack(head)
        return self._recv_exact(length)

    def _recv_exact(self, count):
        buf = bytearray()
        while len(buf) < count:
            chunk = self.sock.recv(count - len(buf))
            if not chunk:
                raise ConnectionError('server closed the connection')
            buf.extend(chunk)
        return bytes(buf)

    def request(self, request):
        """Sends one request, returns (code name, deserialized body or None)."""
        self.xid += 1
        self._send(int_struct.pack(self.xid) + int_struct.pack(request.type) + request.serialize())
        while True:
            reply = self._recv()
            xid, zxid, err = reply_header_struct.unpack_from(reply, 0)
            if xid == self.xid:
                break
        if err != 0:
            return CODE_NAMES.get(err, str(err)), None
        return 'OK', request.deserialize(reply, reply_header_struct.size)

    def create(self, path, data=b'', mode='persistent'):
        return self.request(Create(path, data, OPEN_ACL_UNSAFE, MODE_FLAGS[mode]))

    def close_socket(self):
        try:
            self.sock.close()
        except OSError:
            pass
