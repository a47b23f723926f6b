"""kazoo with read_only=True against one server of a real ensemble that has lost
its quorum, run by src/ensemble/ensemble-read-only.test.ts.

usage: ensemble_read_only_kazoo.py HOST PATH
Connects read-only, reads PATH, tries create/set/delete/sync and prints one JSON
object with what it observed (the connection state and each call's outcome).
"""
import json
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.protocol.states import KeeperState

HOST, PATH = sys.argv[1], sys.argv[2]
client = KazooClient(hosts=HOST, timeout=10.0, read_only=True, connection_retry={'max_tries': 5})
client.start(timeout=15)
result = {'clientState': 'CONNECTED_RO' if client.client_state == KeeperState.CONNECTED_RO else str(client.client_state)}
data, stat = client.get(PATH)
result['read'] = data.decode()
result['children'] = sorted(client.get_children('/'))


def outcome(call):
    try:
        call()
        return 'ok'
    except KazooException as error:
        return type(error).__name__


result['create'] = outcome(lambda: client.create(PATH + '-new', b'x'))
result['set'] = outcome(lambda: client.set(PATH, b'changed'))
result['delete'] = outcome(lambda: client.delete(PATH))
result['sync'] = outcome(lambda: client.sync(PATH))
client.stop()
client.close()
print(json.dumps(result, sort_keys=True))
