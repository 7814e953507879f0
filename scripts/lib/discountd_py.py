"""Python helpers the test scripts share: a ttrpc client over a Unix socket
with the discountd.v1 messages generated from proto/, and a launcher that
runs a daemon on a temporary socket and data folder.

    from discountd_py import Daemon, Client, pb
    with Daemon() as daemon:
        client = Client(daemon.socket)
        answer = client.call("discountd.v1.Health", "Check", pb.health.HealthCheckRequest())

Needs python3-protobuf and protoc (scripts/lib/ensure-packages.sh installs both).
"""
import importlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATED = os.path.join(ROOT, ".build-py", "proto")

REQUEST, RESPONSE, DATA = 1, 2, 3
FLAG_REMOTE_CLOSED, FLAG_NO_DATA = 1, 2
OK, CANCELLED, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS = 0, 1, 3, 4, 5, 6
PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, UNIMPLEMENTED = 7, 8, 9, 12
INTERNAL, UNAVAILABLE, UNAUTHENTICATED = 13, 14, 16


def _generate():
    """The Python modules of proto/, made with protoc once per change of proto/."""
    protos = []
    for folder, _, files in os.walk(os.path.join(ROOT, "proto")):
        protos += [os.path.relpath(os.path.join(folder, f), os.path.join(ROOT, "proto")) for f in files if f.endswith(".proto")]
    newest = max(os.path.getmtime(os.path.join(ROOT, "proto", p)) for p in protos)
    stamp = os.path.join(GENERATED, ".stamp")
    if not os.path.exists(stamp) or os.path.getmtime(stamp) < newest:
        shutil.rmtree(GENERATED, ignore_errors=True)
        os.makedirs(GENERATED)
        subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"), "--python_out", GENERATED] + sorted(protos), check=True)
        open(stamp, "w").close()
    if GENERATED not in sys.path:
        sys.path.insert(0, GENERATED)


_generate()
pb = types.SimpleNamespace(
    ttrpc=importlib.import_module("ttrpc.request_pb2"),
    status=importlib.import_module("google.rpc.status_pb2"),
    errors=importlib.import_module("discountd.v1.errors_pb2"),
    common=importlib.import_module("discountd.v1.common_pb2"),
    health=importlib.import_module("discountd.v1.health_pb2"),
    admin=importlib.import_module("discountd.v1.admin_pb2"),
    commission=importlib.import_module("discountd.v1.commission_pb2"),
    price_rules=importlib.import_module("discountd.v1.price_rules_pb2"),
    vouchers=importlib.import_module("discountd.v1.vouchers_pb2"),
)


class RPCError(Exception):
    def __init__(self, code, message, detail=None):
        super().__init__("%d %s" % (code, message))
        self.code, self.message = code, message
        self.reason = detail.reason if detail else ""
        self.hint = detail.hint if detail else ""
        self.field = detail.field if detail else ""


class ConnectionClosed(Exception):
    pass


def frame(stream_id, kind, data, flags=0):
    return struct.pack(">IIBB", len(data), stream_id, kind, flags) + data


class Client:
    """One connection; calls one at a time (stream ids 1, 3, 5, …)."""

    def __init__(self, socket_path, token=None, timeout=30.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(socket_path)
        self.token, self.next_stream = token, 1

    def close(self):
        self.sock.close()

    def _read_exact(self, n):
        out = bytearray()
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionClosed()
            out += chunk
        return bytes(out)

    def read_frame(self):
        length, stream, kind, flags = struct.unpack(">IIBB", self._read_exact(10))
        return stream, kind, flags, self._read_exact(length)

    def send(self, service, method, payload, metadata=(), timeout_nano=0):
        request = pb.ttrpc.Request(service=service, method=method, payload=payload, timeout_nano=timeout_nano)
        pairs = list(metadata) + ([("authorization", "Bearer " + self.token)] if self.token else [])
        for key, value in pairs:
            request.metadata.add(key=key, value=value)
        stream = self.next_stream
        self.next_stream += 2
        self.sock.sendall(frame(stream, REQUEST, request.SerializeToString()))
        return stream

    @staticmethod
    def _raise_for(response):
        if response.HasField("status") and response.status.code != OK:
            detail = None
            for any_detail in response.status.details:
                if any_detail.type_url.endswith("discountd.v1.ErrorDetail"):
                    detail = pb.errors.ErrorDetail.FromString(any_detail.value)
            raise RPCError(response.status.code, response.status.message, detail)

    def call_raw(self, service, method, payload, metadata=(), timeout_nano=0):
        """The answer's payload bytes, or RPCError."""
        stream = self.send(service, method, payload, metadata, timeout_nano)
        while True:
            got, kind, _, data = self.read_frame()
            if got == stream and kind == RESPONSE:
                response = pb.ttrpc.Response.FromString(data)
                self._raise_for(response)
                return response.payload

    def call(self, service, method, request, response_type=None, metadata=(), timeout_nano=0):
        payload = self.call_raw(service, method, request.SerializeToString(), metadata, timeout_nano)
        return response_type.FromString(payload) if response_type else payload

    def stream(self, service, method, request, response_type, metadata=(), timeout_nano=0):
        """Yields each data message; raises RPCError if the final status is one."""
        stream = self.send(service, method, request.SerializeToString(), metadata, timeout_nano)
        while True:
            got, kind, flags, data = self.read_frame()
            if got != stream:
                continue
            if kind == DATA:
                if not flags & FLAG_NO_DATA:
                    yield response_type.FromString(data)
                if flags & FLAG_REMOTE_CLOSED:
                    return
            elif kind == RESPONSE:
                self._raise_for(pb.ttrpc.Response.FromString(data))
                return


class Daemon:
    """A discountd process on a temporary socket and data folder (or given ones)."""

    def __init__(self, binary=None, args=(), data_dir=None, socket_path=None, env=None):
        self.binary = binary or os.environ.get("DISCOUNTD_BIN") or os.path.join(ROOT, ".build", "debug", "discountd")
        self.tmp = tempfile.mkdtemp(prefix="discountd-py.")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.socket = socket_path or os.path.join(self.tmp, "d.sock")
        self.args, self.env = list(args), env
        self.log_path = os.path.join(self.tmp, "daemon.log")
        self.process = None

    def start(self, wait=True):
        log = open(self.log_path, "ab")
        environment = dict(os.environ, **(self.env or {}))
        self.process = subprocess.Popen(
            [self.binary, "--socket", self.socket, "--data-dir", self.data_dir] + self.args,
            stdout=log, stderr=log, env=environment)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("discountd exited %d: %s" % (self.process.returncode, self.log()))
            try:
                probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                probe.connect(self.socket)
                probe.close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("discountd did not start: " + self.log())

    def log(self):
        try:
            return open(self.log_path, errors="replace").read()[-4000:]
        except OSError:
            return ""

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.alive():
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None

    def remove(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.remove()
