#!/usr/bin/env python3
"""voucher_pages.py — times paging through a voucher pool with ListVoucherCodes over ttrpc.

One connection, one call at a time: skip = 0, COUNT, 2*COUNT, … until a page comes back short.
Prints one line: pages=… codes=… total_s=… p50_ms=… p99_ms=… max_ms=… deep_p50_ms=… (the last
tenth of the pool). Speaks ttrpc and protobuf by hand so that no client library is measured.

usage: voucher_pages.py SOCKET POOL_ID [COUNT] [STATUS]
"""
import socket
import struct
import sys
import time


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(number, data):
    return varint(number << 3 | 2) + varint(len(data)) + data


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def read_varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def fields(buf):
    """(number, wire type, value) of each top-level field."""
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(buf, i)
        elif wire == 2:
            length, i = read_varint(buf, i)
            value, i = buf[i:i + length], i + length
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wire)
        yield number, wire, value


def recv_exact(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("daemon closed the connection")
        data += chunk
    return bytes(data)


def call(sock, stream_id, payload):
    request = (field_bytes(1, b"discountd.v1.Vouchers") + field_bytes(2, b"ListVoucherCodes")
               + field_bytes(3, payload) + field_varint(4, 10_000_000_000))
    sock.sendall(struct.pack(">IIBB", len(request), stream_id, 1, 0) + request)
    length, _, _, _ = struct.unpack(">IIBB", recv_exact(sock, 10))
    response = recv_exact(sock, length)
    body = b""
    for number, _, value in fields(response):
        if number == 1:
            code = dict((n, v) for n, _, v in fields(value)).get(1, 0)
            if code:
                raise RuntimeError("ListVoucherCodes failed with status %d: %r" % (code, value))
        elif number == 2:
            body = value
    return sum(1 for number, _, _ in fields(body) if number == 1)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sock_path, pool_id = sys.argv[1], sys.argv[2].encode()
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    status = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sock_path)
    times, skip, stream_id = [], 0, 1
    started = time.perf_counter()
    while True:
        payload = field_bytes(2, pool_id) + field_varint(3, skip) + field_varint(4, count)
        if status:
            payload += field_varint(5, status)
        t0 = time.perf_counter()
        got = call(sock, stream_id, payload)
        times.append(time.perf_counter() - t0)
        stream_id += 2
        skip += got
        if got < count:
            break
    total = time.perf_counter() - started
    ordered = sorted(times)
    deep = sorted(times[len(times) * 9 // 10:]) or ordered
    pct = lambda xs, p: xs[min(len(xs) - 1, int(len(xs) * p))] * 1000
    print("pages=%d codes=%d total_s=%.3f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f deep_p50_ms=%.3f"
          % (len(times), skip, total, pct(ordered, 0.5), pct(ordered, 0.99), ordered[-1] * 1000, pct(deep, 0.5)))


if __name__ == "__main__":
    main()
