"""Differential driver: runs a JSON op sequence against one server with kazoo's low-level
requests and prints one JSON result per op, so the same sequence can be compared between
Apache ZooKeeper and Corral.

usage: diff_driver.py HOST:PORT < {"sessions": N, "ops": [...]}
Output: {"sessions": ["<id>", ...]} then one line per op:
  {"i": index, "code": "OK" | ZooKeeper code name, ...payload}
Stat fields are printed as decimal strings when 64-bit (zxids, ephemeralOwner), ints otherwise;
data as hex. Nothing is compared here: the TypeScript side maps zxids and sessions.
"""
import hashlib
import json
import socket
import sys
import threading
import time
import traceback

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, ZookeeperError
from kazoo.protocol.serialization import (
    Create, Create2, Delete, SetData, GetData, Exists, GetChildren2, GetACL, SetACL,
    CheckVersion, Sync,
)
from kazoo.security import ACL, Id, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, CREATOR_ALL_ACL, make_digest_acl

import zkraw

HOSTS = sys.argv[1]
HOST, PORT = HOSTS.rsplit(':', 1)
PORT = int(PORT)

ACLS = {
    'open': OPEN_ACL_UNSAFE,
    'read': READ_ACL_UNSAFE,
    'creator': CREATOR_ALL_ACL,
    'digest': [make_digest_acl('user', 'pw', all=True)],
    # Writes locked to the digest user, reads open: used by the random sequence, where an
    # exists on an unreadable node would hit Corral's intended NOAUTH (docs/divergences.md).
    'digest-readable': [make_digest_acl('user', 'pw', all=True), ACL(1, Id('world', 'anyone'))],
    'digest_read': [make_digest_acl('user', 'pw', read=True), ACL(31, Id('world', 'anyone'))._replace(perms=1)],
    'bad_scheme': [ACL(31, Id('nosuchscheme', 'x'))],
    'bad_ip': [ACL(31, Id('ip', 'not-an-ip'))],
    'empty': [],
}


def stat_json(stat):
    if stat is None:
        return None
    return {
        'czxid': str(stat.czxid), 'mzxid': str(stat.mzxid), 'ctime': stat.ctime, 'mtime': stat.mtime,
        'version': stat.version, 'cversion': stat.cversion, 'aversion': stat.aversion,
        'ephemeralOwner': str(stat.ephemeralOwner), 'dataLength': stat.dataLength,
        'numChildren': stat.numChildren, 'pzxid': str(stat.pzxid),
    }


def data_of(op):
    if op.get('nullData'):
        return None  # jute null buffer (length -1), which ZooKeeper keeps apart from b''
    if 'size' in op:
        return b'x' * op['size']
    return op.get('data', '').encode()


class Session(object):
    def __init__(self, index):
        self.index = index
        self.events = []
        self.client = KazooClient(hosts=HOSTS, timeout=10.0, connection_retry={'max_tries': -1, 'delay': 0.1})
        self.client.start(timeout=15)

    def watcher(self, kind):
        def on_event(event):
            self.events.append({'watch': kind, 'type': event.type, 'path': event.path})
        return on_event


def create_request(op):
    mode = op.get('mode', 'persistent')
    acl = ACLS[op.get('acl', 'open')]
    flags = zkraw.MODE_FLAGS[mode]
    if mode == 'container':
        return zkraw.CreateContainer(op['path'], data_of(op), acl, flags)
    if mode in ('ttl', 'ttl_sequential'):
        return zkraw.CreateTTL(op['path'], data_of(op), acl, flags, op.get('ttl', 1000))
    return Create2(op['path'], data_of(op), acl, flags)


def multi_request(op):
    kind = op['op']
    if kind == 'create':
        return Create(op['path'], data_of(op), ACLS[op.get('acl', 'open')], zkraw.MODE_FLAGS[op.get('mode', 'persistent')])
    if kind == 'create2':
        return Create2(op['path'], data_of(op), ACLS[op.get('acl', 'open')], zkraw.MODE_FLAGS[op.get('mode', 'persistent')])
    if kind == 'delete':
        return Delete(op['path'], op.get('version', -1))
    if kind == 'set':
        return SetData(op['path'], data_of(op), op.get('version', -1))
    if kind == 'check':
        return CheckVersion(op['path'], op.get('version', -1))
    if kind == 'get':
        # A read op in a multi: the server refuses the whole request (MarshallingError).
        return GetData(op['path'], False)
    raise ValueError('op %s cannot go in a multi' % kind)


def four_letter(word):
    sock = socket.create_connection((HOST, PORT), timeout=5)
    try:
        sock.sendall(word.encode())
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b''.join(chunks).decode('utf-8', 'replace')
    finally:
        sock.close()


def order_same_notification(events):
    """kazoo keeps a path's data watchers (get and exists) in a set, so one notification
    reaches them in hash order. Sort by watch kind within each run of events with the same
    (type, path): that order is the client's, not the server's. Order across notifications
    is kept."""
    out = []
    run = []
    for event in events + [None]:
        if run and (event is None or (event['type'], event['path']) != (run[0]['type'], run[0]['path'])):
            out.extend(sorted(run, key=lambda e: e['watch']))
            run = []
        if event is not None:
            run.append(event)
    return out


def run_op(sessions, op):
    kind = op['op']
    if kind == '4lw':
        return {'reply': four_letter(op['word'])}
    if kind == 'wait':
        time.sleep(op['ms'] / 1000.0)
        return {}
    session = sessions[op.get('s', 0)]
    c = session.client
    watch = session.watcher(kind) if op.get('watch') else None
    if kind == 'create':
        path, stat = zkraw.call(c, create_request(op))
        return {'path': path, 'stat': stat_json(stat)}
    if kind == 'delete':
        zkraw.call(c, Delete(op['path'], op.get('version', -1)))
        return {}
    if kind == 'set':
        return {'stat': stat_json(zkraw.call(c, SetData(op['path'], data_of(op), op.get('version', -1))))}
    if kind == 'get':
        data, stat = zkraw.call(c, GetData(op['path'], watch))
        if data is None:
            return {'data': None, 'stat': stat_json(stat)}
        if len(data) > 256:  # keep result lines short; equal digests mean equal data
            return {'dataLength': len(data), 'dataSha1': hashlib.sha1(data).hexdigest(), 'stat': stat_json(stat)}
        return {'data': data.hex(), 'stat': stat_json(stat)}
    if kind == 'exists':
        return {'stat': stat_json(zkraw.call(c, Exists(op['path'], watch)))}
    if kind == 'children':
        children, stat = zkraw.call(c, GetChildren2(op['path'], watch))
        return {'children': sorted(children), 'stat': stat_json(stat)}
    if kind == 'getacl':
        acls, stat = zkraw.call(c, GetACL(op['path']))
        return {'acl': [{'perms': a.perms, 'scheme': a.id.scheme, 'id': a.id.id} for a in acls], 'stat': stat_json(stat)}
    if kind == 'setacl':
        return {'stat': stat_json(zkraw.call(c, SetACL(op['path'], ACLS[op['acl']], op.get('version', -1))))}
    if kind == 'multi':
        results = zkraw.call(c, zkraw.Multi([multi_request(o) for o in op['ops']]))
        for r in results:
            if 'stat' in r:
                r['stat'] = stat_json(r['stat'])
        return {'results': results}
    if kind == 'sync':
        return {'path': zkraw.call(c, Sync(op.get('path', '/')))}
    if kind == 'auth':
        c.add_auth(op.get('scheme', 'digest'), op['cred'])
        return {}
    if kind == 'events':
        zkraw.flush_callbacks(c)
        events, session.events = session.events, []
        return {'events': order_same_notification(events)}
    if kind == 'close':
        c.stop()
        c.close()
        return {}
    raise ValueError('unknown op %s' % kind)


def main():
    spec = json.load(sys.stdin)
    sessions = [Session(i) for i in range(spec.get('sessions', 1))]
    print(json.dumps({'sessions': [str(s.client.client_id[0]) for s in sessions]}), flush=True)
    for index, op in enumerate(spec['ops']):
        try:
            result = run_op(sessions, op)
            result['code'] = 'OK'
        except (KazooException, ZookeeperError) as exc:
            result = {'code': zkraw.error_name(exc)}
        except ValueError as exc:
            result = {'code': 'DriverError', 'message': str(exc)}
        result['i'] = index
        print(json.dumps(result), flush=True)
    for s in sessions:
        try:
            s.client.stop()
            s.client.close()
        except Exception:
            pass


if __name__ == '__main__':
    try:
        main()
    except Exception as exc:
        print(json.dumps({'crash': repr(exc), 'trace': traceback.format_exc()}), flush=True)
        sys.exit(1)
