#!/usr/bin/python3
"""Corral's gRPC client API from Python: what a user of grpcio does, checked.

Usage: grpc_checks.py STUBS_DIR HOST:PORT CHECK

STUBS_DIR holds the modules grpc_tools.protoc generated from proto/ (and the
reflection proto) at test time; the grpc.* protos are generated under
grpc_health/ and grpc_reflection/ so they do not shadow the grpc package
(their proto package names, which are what travel on the wire, are unchanged). Prints one JSON object (the observations) on
the last stdout line; the Node test compares it with what the API promises.
Checks use disjoint paths so they can share a server.
"""
import json
import queue
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from google.protobuf import descriptor_pb2  # noqa: E402

from corral.v1 import corral_pb2 as pb  # noqa: E402
from corral.v1 import corral_pb2_grpc  # noqa: E402
from corral.v1 import lock_pb2, lock_pb2_grpc  # noqa: E402
from corral.v1 import types_pb2  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from grpc_reflection.v1 import reflection_pb2, reflection_pb2_grpc  # noqa: E402

# Generous deadline for calls that must not hang forever (not a timing assertion).
CALL_TIMEOUT_S = 30


def failure(error):
    """The status and Corral trailers of a failed call, as the docs promise them."""
    trailers = dict(error.trailing_metadata() or ())
    detail = types_pb2.ErrorDetail.FromString(trailers.get("corral-error-bin", b""))
    return {
        "status": error.code().name,
        "zkCode": trailers.get("corral-zk-code"),
        "zkName": trailers.get("corral-zk-name"),
        "detail": {"zkCode": detail.zk_code, "zkName": detail.zk_name, "path": detail.path, "opIndex": detail.op_index},
    }


def expect_failure(call, request, **kwargs):
    try:
        call(request, timeout=kwargs.pop("timeout", CALL_TIMEOUT_S), **kwargs)
    except grpc.RpcError as error:
        return failure(error)
    raise AssertionError("call succeeded but should have failed")


class Session:
    """One Corral.Session stream: requests are fed from a queue, replies read in order."""

    def __init__(self, stub, timeout_ms=30000):
        self.requests = queue.Queue()
        self.requests.put(pb.SessionRequest(open=pb.OpenSession(timeout_ms=timeout_ms)))
        self.responses = stub.Session(iter(self.requests.get, None))
        opened = next(self.responses)
        assert opened.WhichOneof("kind") == "opened", opened
        self.ref = types_pb2.SessionRef(session_id=opened.opened.session_id, password=opened.opened.password)
        self.next_id = 1

    def send(self, **op):
        call_id = self.next_id
        self.next_id += 1
        self.requests.put(pb.SessionRequest(call=pb.Call(id=call_id, **op)))
        return call_id

    def receive(self):
        return next(self.responses)

    def call(self, **op):
        call_id = self.send(**op)
        message = self.receive()
        assert message.WhichOneof("kind") == "reply" and message.reply.id == call_id, message
        return message.reply

    def close(self):
        self.requests.put(pb.SessionRequest(close=pb.Empty()))
        kinds = [message.WhichOneof("kind") for message in self.responses]
        self.requests.put(None)
        return kinds


def check_unary(channel):
    corral = corral_pb2_grpc.CorralStub(channel)
    out = {}
    created = corral.Create(pb.CreateRequest(path="/pu", data=b"v0"), timeout=CALL_TIMEOUT_S)
    out["create"] = {"path": created.path, "version": created.stat.version}
    got = corral.GetData(pb.GetDataRequest(path="/pu"), timeout=CALL_TIMEOUT_S)
    out["get"] = {"data": got.data.decode(), "version": got.stat.version}
    # Compare-and-set: `version` present means "only if the node is at this version".
    updated = corral.SetData(pb.SetDataRequest(path="/pu", data=b"v1", version=0), timeout=CALL_TIMEOUT_S)
    out["setVersion0"] = updated.stat.version
    out["setStale"] = expect_failure(corral.SetData, pb.SetDataRequest(path="/pu", data=b"lost", version=0))
    # `version` absent means any version (ZooKeeper's -1).
    out["setAnyVersion"] = corral.SetData(pb.SetDataRequest(path="/pu", data=b"v2"), timeout=CALL_TIMEOUT_S).stat.version
    out["dataAfter"] = corral.GetData(pb.GetDataRequest(path="/pu"), timeout=CALL_TIMEOUT_S).data.decode()
    out["getMissing"] = expect_failure(corral.GetData, pb.GetDataRequest(path="/pu/missing"))["status"]
    out["createDuplicate"] = expect_failure(corral.Create, pb.CreateRequest(path="/pu"))["status"]
    # Optional fields: data=b"" is present (empty), unlike an absent field. (Absent data is
    # null in the API; the server still stores it as empty until issue 7 item 7.)
    corral.Create(pb.CreateRequest(path="/pu/null"), timeout=CALL_TIMEOUT_S)
    corral.Create(pb.CreateRequest(path="/pu/empty", data=b""), timeout=CALL_TIMEOUT_S)
    out["emptyHasData"] = corral.GetData(pb.GetDataRequest(path="/pu/empty"), timeout=CALL_TIMEOUT_S).HasField("data")
    children = corral.GetChildren(pb.GetChildrenRequest(path="/pu"), timeout=CALL_TIMEOUT_S)
    out["children"] = sorted(children.children)
    return out


def check_watch(channel):
    corral = corral_pb2_grpc.CorralStub(channel)
    corral.Create(pb.CreateRequest(path="/pw", data=b"before"), timeout=CALL_TIMEOUT_S)
    session = Session(corral)
    first = session.call(get_data=pb.GetDataRequest(path="/pw", watch=True))
    out = {"watchedRead": first.get_data.data.decode()}
    # Another client (unary, no session) changes the node; its reply means the write is applied.
    corral.SetData(pb.SetDataRequest(path="/pw", data=b"after"), timeout=CALL_TIMEOUT_S)
    # Read again without waiting for the event: ZooKeeper's guarantee is that the
    # session sees the event before any reply carrying the data it announces.
    call_id = session.send(get_data=pb.GetDataRequest(path="/pw"))
    order = []
    while True:
        message = session.receive()
        kind = message.WhichOneof("kind")
        if kind == "event":
            order.append({"event": pb.WatchEvent.Type.Name(message.event.type), "path": message.event.path})
        elif kind == "reply" and message.reply.id == call_id:
            order.append({"reply": message.reply.get_data.data.decode()})
            break
    out["order"] = order
    # A session-stream failure is a Reply with ZooKeeper's code; the stream stays open.
    stale = session.call(set_data=pb.SetDataRequest(path="/pw", data=b"x", version=0))
    out["staleInStream"] = {"code": stale.code, "name": stale.code_name}
    out["closed"] = session.close()
    return out


def check_multi(channel):
    corral = corral_pb2_grpc.CorralStub(channel)
    corral.Create(pb.CreateRequest(path="/pm", data=b""), timeout=CALL_TIMEOUT_S)
    failing = pb.MultiRequest(ops=[
        pb.MultiOp(create=pb.CreateRequest(path="/pm/a")),
        pb.MultiOp(set_data=pb.SetDataRequest(path="/pm", data=b"x", version=7)),
        pb.MultiOp(create=pb.CreateRequest(path="/pm/b")),
    ])
    out = {"failed": expect_failure(corral.Multi, failing)}
    # All or nothing: the first create was rolled back.
    out["rolledBack"] = not corral.Exists(pb.ExistsRequest(path="/pm/a"), timeout=CALL_TIMEOUT_S).exists
    ok = corral.Multi(pb.MultiRequest(ops=[
        pb.MultiOp(create=pb.CreateRequest(path="/pm/a", data=b"1")),
        pb.MultiOp(check=pb.CheckRequest(path="/pm", version=0)),
        pb.MultiOp(set_data=pb.SetDataRequest(path="/pm", data=b"y", version=0)),
        pb.MultiOp(delete=pb.DeleteRequest(path="/pm/a", version=0)),
    ]), timeout=CALL_TIMEOUT_S)
    out["results"] = [result.WhichOneof("result") for result in ok.results]
    out["created"] = ok.results[0].create.path
    out["setVersion"] = ok.results[2].set_data.stat.version
    return out


def check_lock(channel):
    corral = corral_pb2_grpc.CorralStub(channel)
    lock = lock_pb2_grpc.LockStub(channel)
    a = Session(corral)
    b = Session(corral)
    name = "/locks/py"
    held_a = lock.Acquire(lock_pb2.AcquireRequest(session=a.ref, name=name, value=b"a"), timeout=CALL_TIMEOUT_S)
    out = {"aKeyUnderName": held_a.key.startswith(name + "/")}
    # Mutual exclusion: while a holds the lock, b's Acquire waits until its deadline.
    out["bWhileAHolds"] = expect_failure(lock.Acquire, lock_pb2.AcquireRequest(session=b.ref, name=name), timeout=0.5)["status"]
    waiting = lock.Acquire.future(lock_pb2.AcquireRequest(session=b.ref, name=name, value=b"b"), timeout=CALL_TIMEOUT_S)
    out["bDoneBeforeUnlock"] = waiting.done()
    lock.Unlock(lock_pb2.UnlockRequest(session=a.ref, key=held_a.key), timeout=CALL_TIMEOUT_S)
    held_b = waiting.result()
    out["bKeyDiffers"] = held_b.key != held_a.key
    # Fencing: each acquisition's token is larger than every earlier holder's.
    out["tokenGrewAB"] = held_b.fencing_token > held_a.fencing_token
    holder = corral.GetData(pb.GetDataRequest(path=held_b.key), timeout=CALL_TIMEOUT_S)
    out["holderValue"] = holder.data.decode()
    out["tokenIsCzxid"] = holder.stat.czxid == held_b.fencing_token
    # Ending b's session releases its lock: a gets it again, with a larger token.
    out["bClosed"] = b.close()
    held_a2 = lock.Acquire(lock_pb2.AcquireRequest(session=a.ref, name=name), timeout=CALL_TIMEOUT_S)
    out["tokenGrewBA"] = held_a2.fencing_token > held_b.fencing_token
    a.close()
    return out


def check_health(channel):
    health = health_pb2_grpc.HealthStub(channel)
    out = {}
    for service in ["", "corral.v1.Corral", "corral.v1.Lock", "corral.v1.Election"]:
        response = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=CALL_TIMEOUT_S)
        out[service or "(server)"] = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    out["unknown"] = expect_failure(health.Check, health_pb2.HealthCheckRequest(service="no.such.Service"))["status"]
    return out


def check_reflection(channel):
    """What `grpcurl list` and `grpcurl describe corral.v1.Lock` ask the server."""
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    requests = [
        reflection_pb2.ServerReflectionRequest(list_services=""),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="corral.v1.Lock"),
    ]
    responses = list(reflection.ServerReflectionInfo(iter(requests), timeout=CALL_TIMEOUT_S))
    services = sorted(service.name for service in responses[0].list_services_response.service)
    methods = []
    for raw in responses[1].file_descriptor_response.file_descriptor_proto:
        descriptor = descriptor_pb2.FileDescriptorProto.FromString(raw)
        for service in descriptor.service:
            if descriptor.package + "." + service.name == "corral.v1.Lock":
                methods = [method.name for method in service.method]
    return {"services": services, "lockMethods": methods}


CHECKS = {
    "unary": check_unary,
    "watch": check_watch,
    "multi": check_multi,
    "lock": check_lock,
    "health": check_health,
    "reflection": check_reflection,
}


def main():
    target, check = sys.argv[2], sys.argv[3]
    with grpc.insecure_channel(target) as channel:
        result = CHECKS[check](channel)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
