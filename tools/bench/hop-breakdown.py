#!/usr/bin/python3
"""Where one ensemble write's time goes, from CORRAL_TRACE_HOPS files (apps/server/src/stats/hop-trace.ts).

Usage: hop-breakdown.py FOLLOWER.jsonl LEADER.jsonl
Both servers of a set-lat run (one session on the follower, one outstanding set) write their
events; each setData the follower received is followed through the hops in STEPS and the
median and p90 of each gap are printed. Writes whose events are incomplete are skipped.
"""
import json
import statistics
import sys

# (server, event, detail) in the order one forwarded write passes them; None matches any detail.
STEPS = [
    ('F', 'client-in', '5'), ('F', 'peer-out', 'request'), ('L', 'peer-in', 'REQUEST'), ('L', 'persist-start', None),
    ('L', 'peer-out', 'proposal'), ('F', 'peer-in', 'PROPOSAL'), ('F', 'persist-start', None), ('F', 'persist-end', None),
    ('F', 'peer-out', 'ack'), ('L', 'peer-in', 'ACK'), ('L', 'peer-out', 'commit'), ('F', 'peer-in', 'COMMIT'), ('F', 'reply', None),
]
GAPS = ['follower: setData in -> REQUEST out', 'REQUEST hop', 'leader: REQUEST in -> write started', 'leader: write started -> PROPOSAL out',
        'PROPOSAL hop', 'follower: PROPOSAL in -> write started', 'follower: durable write', 'follower: written -> ACK out',
        'ACK hop', 'leader: ACK in -> COMMIT out', 'COMMIT hop', 'follower: COMMIT in -> reply']


def load(path, tag):
    with open(path) as f:
        return [(e[0], tag, e[1], e[2]) for e in map(json.loads, f) if e]


def matches(event, step):
    _, tag, what, detail = event
    if tag != step[0] or what != step[1]:
        return False
    return step[2] is None or detail == step[2] or (what == 'peer-out' and step[2] in detail.split(','))


def main(follower, leader):
    events = sorted(load(follower, 'F') + load(leader, 'L'))
    gaps = [[] for _ in GAPS]
    totals = []
    for i, event in enumerate(events):
        if not matches(event, STEPS[0]):
            continue
        times, j = [event[0]], i + 1
        for step in STEPS[1:]:
            while j < len(events) and not matches(events[j], step) and not matches(events[j], STEPS[0]):
                j += 1
            if j >= len(events) or not matches(events[j], step):
                break
            times.append(events[j][0])
            j += 1
        if len(times) != len(STEPS):
            continue
        for k in range(len(GAPS)):
            gaps[k].append(times[k + 1] - times[k])
        totals.append(times[-1] - times[0])
    if not totals:
        sys.exit('no complete write in the traces')
    print(f'writes traced {len(totals)}, median setData in -> reply {statistics.median(totals):.3f} ms')
    for name, values in zip(GAPS, gaps):
        values.sort()
        print(f'  {name:42s} p50 {statistics.median(values):.3f}  p90 {values[int(len(values) * 0.9)]:.3f} ms')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
