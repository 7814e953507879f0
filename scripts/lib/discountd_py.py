"""Python helpers the test scripts share: the one ttrpc client over a Unix
socket, with the discountd.v1 messages generated from proto/, low-level
framing and protobuf wire helpers for scripts that send what no client would,
and the one launcher that runs a daemon on a temporary socket and data folder.

    from discountd_py import Daemon, Client, pb
    with Daemon() as daemon:
        client = Client(daemon.socket)
        answer = client.call("discountd.v1.Health", "Check", pb.health.HealthCheckRequest())

Layers, lowest first:
  * wire helpers (varint, wire_fields, encode_fields): protobuf's wire format
    by hand, for payloads that are malformed or at the edges on purpose;
  * framing (frame, request_frame, split_frames, status_code): ttrpc frames;
  * Client: one connection; call/stream for well-formed calls, and write,
    read_frame, answer, closed_by_server for scripts that frame by hand;
  * Daemon: start, wait until it answers, stop with SIGTERM, clean up.

`pb` (the generated messages) needs python3-protobuf and protoc
(scripts/lib/ensure-packages.sh installs both; run the script with
/usr/bin/python3, Debian's, which has python3-protobuf). It is made on first
use, so Daemon and the wire and framing helpers need the standard library alone
(scripts/mcp runs them in the MCP client's venv).
"""
import atexit
import fcntl
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
HEADER = struct.Struct(">IIBB")  # length, stream id, message type, flags


# --- the generated messages -------------------------------------------------------------------
def _generate():
    """The Python modules of proto/, made with protoc once per change of proto/."""
    protos = []
    for folder, _, files in os.walk(os.path.join(ROOT, "proto")):
        protos += [os.path.relpath(os.path.join(folder, f), os.path.join(ROOT, "proto")) for f in files if f.endswith(".proto")]
    newest = max(os.path.getmtime(os.path.join(ROOT, "proto", p)) for p in protos)
    stamp = os.path.join(GENERATED, ".stamp")
    os.makedirs(os.path.dirname(GENERATED), exist_ok=True)
    with open(GENERATED + ".lock", "w") as lock:  # scripts running side by side make it once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(stamp) or os.path.getmtime(stamp) < newest:
            shutil.rmtree(GENERATED, ignore_errors=True)
            os.makedirs(GENERATED)
            subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"), "--python_out", GENERATED] + sorted(protos),
                           check=True)
            open(stamp, "w").close()
    if GENERATED not in sys.path:
        sys.path.insert(0, GENERATED)


class _Messages:
    """pb.health, pb.admin, …: the generated modules, made and imported on first use."""
    MODULES = {
        "ttrpc": "ttrpc.request_pb2", "status": "google.rpc.status_pb2", "errors": "discountd.v1.errors_pb2",
        "common": "discountd.v1.common_pb2", "health": "discountd.v1.health_pb2", "admin": "discountd.v1.admin_pb2",
        "commission": "discountd.v1.commission_pb2", "price_rules": "discountd.v1.price_rules_pb2",
        "vouchers": "discountd.v1.vouchers_pb2",
    }

    def __getattr__(self, name):
        if name not in self.MODULES:
            raise AttributeError(name)
        _generate()
        loaded = types.SimpleNamespace(**{key: importlib.import_module(module) for key, module in self.MODULES.items()})
        self.__dict__.update(vars(loaded))
        return getattr(loaded, name)


pb = _Messages()


# --- protobuf's wire format, by hand ------------------------------------------------------------
def varint(n):
    """A varint; a negative number as protobuf sends an int64 (ten bytes)."""
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_varint(data, i):
    """(value, index after it) of the varint at data[i]; IndexError when cut short."""
    shift = value = 0
    while True:
        value |= (data[i] & 0x7F) << shift
        shift += 7
        i += 1
        if not data[i - 1] & 0x80:
            return value, i


def field_bytes(number, data):
    """A length-delimited field (string, bytes, message), written even when empty."""
    return varint(number << 3 | 2) + varint(len(data)) + data


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def wire_fields(data):
    """(number, wire type, raw value) of each field of a message, or None if it does not parse.
    The raw value is the varint's bytes, the 8 or 4 fixed bytes, or a length-delimited field's content."""
    i, out = 0, []
    try:
        while i < len(data):
            key, i = read_varint(data, i)
            number, wire = key >> 3, key & 7
            if number == 0:
                return None
            if wire == 0:
                start = i
                _, i = read_varint(data, i)
                out.append((number, 0, data[start:i]))
            elif wire == 2:
                n, i = read_varint(data, i)
                if i + n > len(data):
                    return None
                out.append((number, 2, data[i:i + n]))
                i += n
            elif wire in (1, 5):
                size = 8 if wire == 1 else 4
                if i + size > len(data):
                    return None
                out.append((number, wire, data[i:i + size]))
                i += size
            else:
                return None
    except IndexError:
        return None
    return out


def encode_fields(fields):
    """The inverse of wire_fields."""
    out = bytearray()
    for number, wire, value in fields:
        out += varint(number << 3 | wire)
        out += (varint(len(value)) + value) if wire == 2 else value
    return bytes(out)


# --- ttrpc framing -------------------------------------------------------------------------------
def frame(stream_id, kind, data, flags=0):
    """One frame: the 10-byte header, then data. Any stream id, type or flags."""
    return HEADER.pack(len(data), stream_id, kind, flags) + data


def request_frame(stream_id, service, method, payload=b"", timeout_nano=0, metadata=()):
    """A request frame with a ttrpc.Request envelope (payload: encoded bytes)."""
    request = pb.ttrpc.Request(service=service, method=method, payload=payload, timeout_nano=timeout_nano)
    for key, value in metadata:
        request.metadata.add(key=key, value=value)
    return frame(stream_id, REQUEST, request.SerializeToString())


def split_frames(stream):
    """(header, data) of each whole frame in a byte stream; a cut-off tail is left out."""
    i, out = 0, []
    while i + HEADER.size <= len(stream):
        length = HEADER.unpack_from(stream, i)[0]
        if i + HEADER.size + length > len(stream):
            break
        out.append((stream[i:i + HEADER.size], stream[i + HEADER.size:i + HEADER.size + length]))
        i += HEADER.size + length
    return out


def status_code(response_data):
    """The status code of a response frame's data (ttrpc.Response)."""
    response = pb.ttrpc.Response.FromString(response_data)
    return response.status.code if response.HasField("status") else OK


class RPCError(Exception):
    def __init__(self, code, message, detail=None):
        super().__init__("%d %s" % (code, message))
        self.code, self.message = code, message
        self.reason = detail.reason if detail else ""
        self.hint = detail.hint if detail else ""
        self.field = detail.field if detail else ""


class ConnectionClosed(Exception):
    pass


# --- the client ----------------------------------------------------------------------------------
class Client:
    """One connection; calls one at a time (stream ids 1, 3, 5, …). For frames
    made by hand: write() sends bytes as they are, read_frame() and answer()
    read what comes back whatever stream it is on."""

    def __init__(self, socket_path, token=None, timeout=30.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        for _ in range(200):
            try:
                self.sock.connect(socket_path)
                break
            except BlockingIOError:  # the listen backlog is full for a moment
                time.sleep(0.01)
        else:
            self.sock.close()
            raise OSError("connect to %s: the listen backlog stayed full for 2 s" % socket_path)
        self.token, self.next_stream = token, 1
        self.buffer = bytearray()

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- frames
    def write(self, data):
        """Sends bytes as they are: frames made by hand, malformed ones included."""
        self.sock.sendall(data)

    def _fill(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(max(1 << 16, n - len(self.buffer)))
            if not chunk:
                raise ConnectionClosed()
            self.buffer += chunk

    def read_frame(self):
        """(stream, type, flags, data) of the next frame; ConnectionClosed at EOF."""
        self._fill(HEADER.size)
        length, stream, kind, flags = HEADER.unpack_from(self.buffer)
        self._fill(HEADER.size + length)
        data = bytes(self.buffer[HEADER.size:HEADER.size + length])
        del self.buffer[:HEADER.size + length]
        return stream, kind, flags, data

    def answer(self):
        """(stream, status code) of the next frame, which must be a response; None at EOF."""
        try:
            stream, kind, _, data = self.read_frame()
        except ConnectionClosed:
            return None
        if kind != RESPONSE:
            raise ValueError("server sent frame type %d" % kind)
        return stream, status_code(data)

    def closed_by_server(self, within=5):
        """True when the server closes the connection within `within` s, sending nothing more."""
        self.sock.settimeout(within)
        try:
            self.read_frame()
            return False
        except ConnectionClosed:
            return True
        except (socket.timeout, ConnectionResetError):
            return False

    # -- calls
    def send(self, service, method, payload, metadata=(), timeout_nano=0):
        """Sends one request (payload: encoded bytes) on the next stream id; returns that id."""
        pairs = list(metadata) + ([("authorization", "Bearer " + self.token)] if self.token else [])
        stream = self.next_stream
        self.next_stream += 2
        self.sock.sendall(request_frame(stream, service, method, payload, timeout_nano, pairs))
        return stream

    @staticmethod
    def _raise_for(response):
        if response.HasField("status") and response.status.code != OK:
            detail = None
            for any_detail in response.status.details:
                if any_detail.type_url.endswith("discountd.v1.ErrorDetail"):
                    detail = pb.errors.ErrorDetail.FromString(any_detail.value)
            raise RPCError(response.status.code, response.status.message, detail)

    @classmethod
    def payload_of(cls, data):
        """The payload of a response frame's data, or RPCError."""
        response = pb.ttrpc.Response.FromString(data)
        cls._raise_for(response)
        return response.payload

    def call_raw(self, service, method, payload, metadata=(), timeout_nano=0):
        """The answer's payload bytes, or RPCError."""
        stream = self.send(service, method, payload, metadata, timeout_nano)
        while True:
            got, kind, _, data = self.read_frame()
            if got == stream and kind == RESPONSE:
                return self.payload_of(data)

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


# --- the launcher --------------------------------------------------------------------------------
def rss_kib(pid):
    """A process's resident memory (VmRSS), in KiB."""
    with open("/proc/%d/status" % pid) as status:
        return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)


_running = set()


@atexit.register
def _kill_leftovers():
    """A script that exits without stopping its daemons does not leave them running."""
    for process in list(_running):
        if process.poll() is None:
            process.kill()
            process.wait()


class Daemon:
    """A discountd process on a temporary socket and data folder (or given ones).

    The folder (self.tmp) holds the socket, the data folder and daemon.log (the
    daemon's stdout and stderr); remove() deletes it. The binary: `binary`, else
    DISCOUNTD_BIN, else .build/debug/discountd. `prefix`: words run before it,
    e.g. ["ip", "netns", "exec", "ns1"] (which execs it: pid is the daemon's). `own_group`: in a
    process group of its own, so kill_group() also ends what it starts (Swift's backtracer)."""

    def __init__(self, binary=None, args=(), data_dir=None, socket_path=None, env=None, name="py", prefix=(),
                 own_group=False):
        self.binary = binary or os.environ.get("DISCOUNTD_BIN") or os.path.join(ROOT, ".build", "debug", "discountd")
        self.tmp = tempfile.mkdtemp(prefix="discountd-%s." % name)
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.socket = socket_path or os.path.join(self.tmp, "d.sock")
        self.args, self.env, self.prefix, self.own_group = list(args), env, list(prefix), own_group
        self.log_path = os.path.join(self.tmp, "daemon.log")
        self.process = None
        self.killed = False  # stop() had to SIGKILL it

    @property
    def pid(self):
        return self.process.pid

    def start(self, wait=True):
        with open(self.log_path, "ab") as log:
            environment = dict(os.environ, **(self.env or {}))
            self.process = subprocess.Popen(
                self.prefix + [self.binary, "--socket", self.socket, "--data-dir", self.data_dir] + self.args,
                stdout=log, stderr=log, env=environment, process_group=0 if self.own_group else None)
        _running.add(self.process)
        self.killed = False
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, seconds=60):
        """Returns once the daemon accepts a connection; RuntimeError if it exits or takes too long."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("discountd exited %d: %s" % (self.process.returncode, self.log()))
            try:
                probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    probe.connect(self.socket)
                finally:
                    probe.close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("discountd did not start: " + self.log())

    def log(self):
        try:
            with open(self.log_path, errors="replace") as log:
                return log.read()[-4000:]
        except OSError:
            return ""

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def rss_kib(self):
        """The daemon's resident memory (VmRSS), in KiB."""
        return rss_kib(self.process.pid)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Signals it (SIGTERM) and waits up to `timeout` s, then SIGKILLs it (self.killed).
        Returns its exit status (negative: the signal that ended it)."""
        if self.alive():
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self.killed = True
        if self.process:
            _running.discard(self.process)
        return self.process.returncode if self.process else None

    def kill_group(self):
        """SIGKILLs the daemon and its process group (it must have been started with own_group),
        while it has not been reaped: until then its pid names no one else's group."""
        assert self.own_group, "kill_group needs a daemon started with own_group"
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.killed = True

    def remove(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.remove()
