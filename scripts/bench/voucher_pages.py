#!/usr/bin/python3
"""voucher_pages.py — times paging through a voucher pool with ListVoucherCodes over ttrpc.

One connection, one call at a time: skip = 0, COUNT, 2*COUNT, … until a page comes back short.
Prints one line: pages=… codes=… total_s=… p50_ms=… p99_ms=… max_ms=… deep_p50_ms=… (the last
tenth of the pool). Each page is timed from the request's write to the response's last byte
(decoding it here is not counted): the frames go through discountd_py's low-level
send and read_frame, the messages are made and read outside the timed span.
STATUS: 1 available, 2 assigned, 3 redeemed (absent: every code).

With `redeem EVERY`, instead redeems every EVERY-th assigned code of the pool (RedeemVoucherCode),
so that status-filtered pages have to step over interleaved codes, and prints redeemed=N.

usage: voucher_pages.py SOCKET POOL_ID [COUNT] [STATUS]
       voucher_pages.py SOCKET POOL_ID redeem EVERY
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from discountd_py import Client, pb  # noqa: E402

VOUCHERS = "discountd.v1.Vouchers"
TIMEOUT_NANO = 10_000_000_000


def timed_call(client, method, request):
    """(response frame data, seconds from the request's write to the answer's last byte)."""
    payload = request.SerializeToString()
    started = time.perf_counter()
    stream = client.send(VOUCHERS, method, payload, timeout_nano=TIMEOUT_NANO)
    while True:
        got, _, _, data = client.read_frame()
        if got == stream:
            return data, time.perf_counter() - started


def page(client, pool_id, skip, count, status):
    """(codes of one page, seconds it took)."""
    request = pb.vouchers.ListVoucherCodesRequest(pool_id=pool_id, skip=skip, count=count)
    if status:
        request.status = status
    data, took = timed_call(client, "ListVoucherCodes", request)
    return [code.code for code in pb.vouchers.ListVoucherCodesResponse.FromString(client.payload_of(data)).data], took


def redeem_every(client, pool_id, every):
    """Redeems every EVERY-th assigned code, walking the assigned codes in pool order."""
    chosen, skip = [], 0
    while True:
        codes, _ = page(client, pool_id, skip, 1000, 2)
        chosen += codes[(-skip) % every::every]
        skip += len(codes)
        if len(codes) < 1000:
            break
    for code in chosen:
        data, _ = timed_call(client, "RedeemVoucherCode", pb.vouchers.RedeemVoucherCodeRequest(code=code))
        client.payload_of(data)
    print("redeemed=%d" % len(chosen))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sock_path, pool_id = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != "redeem" else 1000
    status = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] != "redeem" else 0
    client = Client(sock_path)
    if len(sys.argv) > 4 and sys.argv[3] == "redeem":
        redeem_every(client, pool_id, int(sys.argv[4]))
        return
    times, skip = [], 0
    started = time.perf_counter()
    while True:
        codes, took = page(client, pool_id, skip, count, status)
        times.append(took)
        got = len(codes)
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
