// ttrpc-go: interop test of discountd against containerd's own Go ttrpc client
// (github.com/containerd/ttrpc 1.1.1 as packaged by Debian).
//
// Built offline in GOPATH mode by scripts/interop-go:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode:$tmp GOPROXY=off GOFLAGS= \
//	  go build -o .build-go/ttrpc-go ./Tests/Interop/ttrpc-go
//
// Usage: ttrpc-go -socket PATH [-concurrency 1000] [-rounds 4] [-check-timeout 20s]
//
// Prints one line per check (PASS/FAIL), then "N passed, M failed", and exits
// 1 when any check failed. Payloads are hand-encoded protobuf so the test needs
// nothing generated from proto/.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/containerd/ttrpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	healthService  = "discountd.v1.Health"
	errorDetailURL = "type.googleapis.com/discountd.v1.ErrorDetail"
	servingStatus  = 1 // HealthCheckResponse.ServingStatus.SERVING
)

// raw is a gogo/protobuf proto.Message whose wire form is exactly the bytes it
// holds, so ttrpc 1.1.1 (which only accepts proto.Message) carries arbitrary
// pre-encoded payloads. Same idea as the reference peers' rawmsg.Raw.
type raw struct{ B []byte }

func (r *raw) Reset()                   { r.B = nil }
func (r *raw) String() string           { return hex.EncodeToString(r.B) }
func (r *raw) ProtoMessage()            {}
func (r *raw) Marshal() ([]byte, error) { return r.B, nil }
func (r *raw) Unmarshal(b []byte) error { r.B = append([]byte(nil), b...); return nil }

// ---- minimal protobuf wire decoding -------------------------------------

type field struct {
	num    int
	wire   int
	varint uint64
	bytes  []byte
}

func readVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * uint(i))
		if b[i] < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("truncated or over-long varint")
}

// parseFields decodes one message level into its fields (unknown wire types
// 1 and 5 are kept as bytes; groups are rejected).
func parseFields(b []byte) ([]field, error) {
	var out []field
	for len(b) > 0 {
		key, n, err := readVarint(b)
		if err != nil {
			return nil, err
		}
		b = b[n:]
		f := field{num: int(key >> 3), wire: int(key & 7)}
		if f.num == 0 {
			return nil, errors.New("field number 0")
		}
		switch f.wire {
		case 0:
			f.varint, n, err = readVarint(b)
			if err != nil {
				return nil, err
			}
			b = b[n:]
		case 1, 5:
			sz := 8
			if f.wire == 5 {
				sz = 4
			}
			if len(b) < sz {
				return nil, errors.New("truncated fixed field")
			}
			f.bytes, b = b[:sz], b[sz:]
		case 2:
			l, n, err := readVarint(b)
			if err != nil {
				return nil, err
			}
			b = b[n:]
			if uint64(len(b)) < l {
				return nil, fmt.Errorf("field %d: length %d past end", f.num, l)
			}
			f.bytes, b = b[:l], b[l:]
		default:
			return nil, fmt.Errorf("field %d: unsupported wire type %d", f.num, f.wire)
		}
		out = append(out, f)
	}
	return out, nil
}

// decodeHealth returns HealthCheckResponse.status (field 1, enum); absent = 0.
func decodeHealth(b []byte) (uint64, error) {
	fs, err := parseFields(b)
	if err != nil {
		return 0, err
	}
	var st uint64
	for _, f := range fs {
		if f.num == 1 {
			if f.wire != 0 {
				return 0, fmt.Errorf("status has wire type %d, want varint", f.wire)
			}
			st = f.varint
		}
	}
	return st, nil
}

type errorDetail struct{ reason, hint, field string }

func decodeErrorDetail(b []byte) (errorDetail, error) {
	var d errorDetail
	fs, err := parseFields(b)
	if err != nil {
		return d, err
	}
	for _, f := range fs {
		if f.num >= 1 && f.num <= 3 && f.wire != 2 {
			return d, fmt.Errorf("ErrorDetail field %d has wire type %d, want 2 (string)", f.num, f.wire)
		}
		switch f.num {
		case 1:
			d.reason = string(f.bytes)
		case 2:
			d.hint = string(f.bytes)
		case 3:
			d.field = string(f.bytes)
		}
	}
	return d, nil
}

// ---- harness --------------------------------------------------------------

var (
	sockPath     = flag.String("socket", "", "discountd Unix socket path (required)")
	concurrency  = flag.Int("concurrency", 1000, "goroutines sharing one client in the concurrency check")
	rounds       = flag.Int("rounds", 4, "sequential Health.Check calls per goroutine in the concurrency check")
	checkTimeout = flag.Duration("check-timeout", 20*time.Second, "give up on a check after this long")
)

func dial() (*ttrpc.Client, error) {
	c, err := net.DialTimeout("unix", *sockPath, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return ttrpc.NewClient(c), nil
}

// call makes one unary call on cl and returns the response payload and the
// status (OK when the call succeeded). A non-status error (transport) is
// returned as err.
func call(ctx context.Context, cl *ttrpc.Client, svc, method string, payload []byte) ([]byte, *status.Status, error) {
	var resp raw
	err := cl.Call(ctx, svc, method, &raw{B: payload}, &resp)
	if err == nil {
		return resp.B, status.New(codes.OK, ""), nil
	}
	if st, ok := status.FromError(err); ok {
		return resp.B, st, nil
	}
	return resp.B, nil, err
}

func describe(payload []byte, st *status.Status) string {
	s := fmt.Sprintf("code=%d(%s) message=%q payload=%q", int(st.Code()), st.Code(), st.Message(), hex.EncodeToString(payload))
	for i, d := range st.Proto().GetDetails() {
		s += fmt.Sprintf(" details[%d]={type_url=%q value=%s}", i, d.GetTypeUrl(), hex.EncodeToString(d.GetValue()))
	}
	return s
}

// withClient dials a fresh connection for one check so that a daemon that
// drops the connection fails only that check.
func withClient(f func(cl *ttrpc.Client) (string, error)) (string, error) {
	cl, err := dial()
	if err != nil {
		return "", fmt.Errorf("dial %s: %v", *sockPath, err)
	}
	defer cl.Close()
	return f(cl)
}

// expectHealthy checks a successful Health.Check result.
func expectHealthy(payload []byte, st *status.Status, err error) error {
	if err != nil {
		return fmt.Errorf("transport error: %v", err)
	}
	if st.Code() != codes.OK {
		return fmt.Errorf("want OK, got %s", describe(payload, st))
	}
	v, derr := decodeHealth(payload)
	if derr != nil {
		return fmt.Errorf("HealthCheckResponse payload %x does not decode: %v", payload, derr)
	}
	if v != servingStatus {
		return fmt.Errorf("HealthCheckResponse.status = %d, want SERVING (1); payload %x", v, payload)
	}
	return nil
}

func checkHealth() (string, error) {
	return withClient(func(cl *ttrpc.Client) (string, error) {
		p, st, err := call(context.Background(), cl, healthService, "Check", nil)
		if e := expectHealthy(p, st, err); e != nil {
			return "", e
		}
		return fmt.Sprintf("status=SERVING payload=%x", p), nil
	})
}

func expectUnimplemented(svc, method string) (string, error) {
	return withClient(func(cl *ttrpc.Client) (string, error) {
		p, st, err := call(context.Background(), cl, svc, method, nil)
		if err != nil {
			return "", fmt.Errorf("transport error: %v", err)
		}
		if st.Code() != codes.Unimplemented {
			return "", fmt.Errorf("%s/%s: want UNIMPLEMENTED (12), got %s", svc, method, describe(p, st))
		}
		return fmt.Sprintf("%s/%s -> UNIMPLEMENTED message=%q", svc, method, st.Message()), nil
	})
}

func checkInvalidArgument() (string, error) {
	return withClient(func(cl *ttrpc.Client) (string, error) {
		p, st, err := call(context.Background(), cl, healthService, "Check", []byte{0xff, 0xff, 0xff})
		if err != nil {
			return "", fmt.Errorf("transport error: %v", err)
		}
		if st.Code() != codes.InvalidArgument {
			return "", fmt.Errorf("want INVALID_ARGUMENT (3), got %s", describe(p, st))
		}
		if strings.TrimSpace(st.Message()) == "" {
			return "", fmt.Errorf("INVALID_ARGUMENT with an empty message: %s", describe(p, st))
		}
		details := st.Proto().GetDetails()
		if len(details) == 0 {
			return "", fmt.Errorf("no details; want details[0] = Any(%s): %s", errorDetailURL, describe(p, st))
		}
		d0 := details[0]
		if d0.GetTypeUrl() != errorDetailURL {
			return "", fmt.Errorf("details[0].type_url = %q, want %q", d0.GetTypeUrl(), errorDetailURL)
		}
		ed, derr := decodeErrorDetail(d0.GetValue())
		if derr != nil {
			return "", fmt.Errorf("details[0].value %x does not decode as ErrorDetail: %v", d0.GetValue(), derr)
		}
		if ed.reason != "INVALID_ARGUMENT" {
			return "", fmt.Errorf("ErrorDetail.reason = %q, want \"INVALID_ARGUMENT\" (value %x)", ed.reason, d0.GetValue())
		}
		return fmt.Sprintf("message=%q reason=%q hint=%q field=%q", st.Message(), ed.reason, ed.hint, ed.field), nil
	})
}

func checkMetadataDeadline() (string, error) {
	return withClient(func(cl *ttrpc.Client) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		md := ttrpc.MD{}
		md.Set("x-request-id", "interop-1")
		ctx = ttrpc.WithMetadata(ctx, md)
		t0 := time.Now()
		p, st, err := call(ctx, cl, healthService, "Check", nil)
		if err != nil {
			return "", fmt.Errorf("transport error after %v: %v", time.Since(t0), err)
		}
		if e := expectHealthy(p, st, nil); e != nil {
			return "", e
		}
		return fmt.Sprintf("timeout 2s + x-request-id=interop-1 -> OK in %v", time.Since(t0).Round(time.Microsecond)), nil
	})
}

func checkConcurrent() (string, error) {
	return withClient(func(cl *ttrpc.Client) (string, error) {
		var (
			wg       sync.WaitGroup
			ok, bad  int64
			mu       sync.Mutex
			firstErr error
		)
		t0 := time.Now()
		for g := 0; g < *concurrency; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := 0; r < *rounds; r++ {
					p, st, err := call(context.Background(), cl, healthService, "Check", nil)
					if e := expectHealthy(p, st, err); e != nil {
						atomic.AddInt64(&bad, 1)
						mu.Lock()
						if firstErr == nil {
							firstErr = e
						}
						mu.Unlock()
						return
					}
					atomic.AddInt64(&ok, 1)
				}
			}()
		}
		wg.Wait()
		el := time.Since(t0)
		total := int64(*concurrency * *rounds)
		if bad > 0 || ok != total {
			return "", fmt.Errorf("%d of %d calls succeeded, %d failed; first failure: %v", ok, total, bad, firstErr)
		}
		return fmt.Sprintf("%d goroutines x %d calls on one client: %d OK in %v", *concurrency, *rounds, ok, el.Round(time.Millisecond)), nil
	})
}

type check struct {
	name string
	fn   func() (string, error)
}

func main() {
	flag.Parse()
	if *sockPath == "" {
		fmt.Fprintln(os.Stderr, "usage: ttrpc-go -socket PATH [-concurrency N] [-rounds N] [-check-timeout D]")
		os.Exit(2)
	}
	checks := []check{
		{"1 health-check", checkHealth},
		{"2a unknown-method", func() (string, error) { return expectUnimplemented(healthService, "NoSuchMethod") }},
		{"2b unknown-service", func() (string, error) { return expectUnimplemented("discountd.v1.NoSuchService", "Check") }},
		{"3 error-status-details", checkInvalidArgument},
		{"4 metadata-and-deadline", checkMetadataDeadline},
		{"5 concurrent-calls", checkConcurrent},
	}
	passed, failed := 0, 0
	for _, c := range checks {
		type result struct {
			info string
			err  error
		}
		done := make(chan result, 1)
		go func(c check) {
			info, err := c.fn()
			done <- result{info, err}
		}(c)
		var r result
		select {
		case r = <-done:
		case <-time.After(*checkTimeout):
			r = result{err: fmt.Errorf("no answer within %v", *checkTimeout)}
		}
		if r.err != nil {
			failed++
			fmt.Printf("FAIL %-26s %v\n", c.name, r.err)
		} else {
			passed++
			fmt.Printf("PASS %-26s %s\n", c.name, r.info)
		}
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
