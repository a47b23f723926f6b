"""kazoo against one server of a real ensemble, run by src/ensemble/ensemble-clients.test.ts.

usage: ensemble_kazoo.py HOSTS write   creates /ens-clients/kazoo
       ensemble_kazoo.py HOSTS read    syncs, then reads /ens-clients/java
HOSTS is one server, so each client is pinned to it.
Prints one JSON object with what it observed.
"""
import json
import sys

from kazoo.client import KazooClient

HOSTS, MODE = sys.argv[1], sys.argv[2]
client = KazooClient(hosts=HOSTS, timeout=10.0, connection_retry={'max_tries': 5})
client.start(timeout=15)
result = {}
if MODE == 'write':
    client.ensure_path('/ens-clients')
    result['created'] = client.create('/ens-clients/kazoo', b'written by kazoo')
elif MODE == 'read':
    client.sync('/ens-clients')
    data, stat = client.get('/ens-clients/java')
    result['java'] = data.decode()
    result['children'] = sorted(client.get_children('/ens-clients'))
else:
    raise SystemExit('unknown mode ' + MODE)
client.stop()
client.close()
print(json.dumps(result))
