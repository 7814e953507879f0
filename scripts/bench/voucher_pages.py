#!/usr/bin/env python3
"""voucher_pages.py — times paging through a voucher pool with ListVoucherCodes over ttrpc.

One connection, one call at a time: skip = 0, COUNT, 2*COUNT, … until a page comes back short.
Prints one line: pages=… codes=… total_s=… p50_ms=… p99_ms=… max_ms=… deep_p50_ms=… (the last
tenth of the pool). Each page is timed from the request's write to the response's last byte
(decoding it here is not counted). Speaks ttrpc and protobuf by hand so that no client library
is measured. STATUS: 1 available, 2 assigned, 3 redeemed (absent: every code).

With `redeem EVERY`, instead redeems every EVERY-th assigned code of the pool (RedeemVoucherCode),
so that status-filtered pages have to step over interleaved codes, and prints redeemed=N.

usage: voucher_pages.py SOCKET POOL_ID [COUNT] [STATUS]
       voucher_pages.py SOCKET POOL_ID redeem EVERY
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


def call(sock, stream_id, method, payload):
    """The response body of one call (raises on a non-OK status)."""
    request = (field_bytes(1, b"discountd.v1.Vouchers") + field_bytes(2, method)
               + field_bytes(3, payload) + field_varint(4, 10_000_000_000))
    sock.sendall(struct.pack(">IIBB", len(request), stream_id, 1, 0) + request)
    length, _, _, _ = struct.unpack(">IIBB", recv_exact(sock, 10))
    return recv_exact(sock, length)


def body_of(response, method):
    body = b""
    for number, _, value in fields(response):
        if number == 1:
            code = dict((n, v) for n, _, v in fields(value)).get(1, 0)
            if code:
                raise RuntimeError("%s failed with status %d: %r" % (method.decode(), code, value))
        elif number == 2:
            body = value
    return body


def page(sock, stream_id, pool_id, skip, count, status):
    payload = field_bytes(2, pool_id) + field_varint(3, skip) + field_varint(4, count)
    if status:
        payload += field_varint(5, status)
    return call(sock, stream_id, b"ListVoucherCodes", payload)


def codes_of(response):
    body = body_of(response, b"ListVoucherCodes")
    return [dict((n, v) for n, _, v in fields(value)).get(1, b"") for number, _, value in fields(body) if number == 1]


def redeem_every(sock, pool_id, every):
    """Redeems every EVERY-th assigned code, walking the assigned codes in pool order."""
    chosen, skip, stream_id = [], 0, 1
    while True:
        codes = codes_of(page(sock, stream_id, pool_id, skip, 1000, 2))
        stream_id += 2
        chosen += codes[(-skip) % every::every]
        skip += len(codes)
        if len(codes) < 1000:
            break
    for code in chosen:
        body_of(call(sock, stream_id, b"RedeemVoucherCode", field_bytes(2, code)), b"RedeemVoucherCode")
        stream_id += 2
    print("redeemed=%d" % len(chosen))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sock_path, pool_id = sys.argv[1], sys.argv[2].encode()
    count = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != "redeem" else 1000
    status = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] != "redeem" else 0
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sock_path)
    if len(sys.argv) > 4 and sys.argv[3] == "redeem":
        redeem_every(sock, pool_id, int(sys.argv[4]))
        return
    times, skip, stream_id = [], 0, 1
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        response = page(sock, stream_id, pool_id, skip, count, status)
        times.append(time.perf_counter() - t0)
        got = len(codes_of(response))
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
