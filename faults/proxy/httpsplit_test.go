package proxy

import (
	"bytes"
	"fmt"
	"testing"
)

// collect feeds input in pieces of size step and records the events.
func collect(input []byte, step int) (heads []*reqHead, ends int, out []byte, raw bool) {
	var s httpSplitter
	for i := 0; i < len(input); i += step {
		_ = s.Feed(input[i:min(i+step, len(input))], func(ev reqEvent) error {
			switch ev.kind {
			case evHead:
				heads = append(heads, ev.head)
			case evEnd:
				ends++
			case evRaw:
				raw = true
			}
			out = append(out, ev.data...)
			return nil
		})
	}
	return
}

func TestSplitter(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		heads int
		ends  int
		raw   bool
	}{
		// one GET, no body
		{"get", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1, 1, false},
		// two pipelined requests, the first with a body
		{"post then get", "POST /o HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /q HTTP/1.1\r\n\r\n", 2, 2, false},
		// chunked body with an extension and a trailer
		{"chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\nGET / HTTP/1.1\r\n\r\n", 2, 2, false},
		// not HTTP at all: passed through raw
		{"garbage", "\x16\x03\x01 tls hello\r\n\r\n", 0, 0, true},
		// a bad chunk size falls back to raw after the head
		{"bad chunk", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 1, 0, true},
		// conflicting Content-Length values are refused
		{"two lengths", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 0, 0, true},
		// incomplete head: nothing yet
		{"partial", "GET / HTTP/1.1\r\nHost:", 0, 0, false},
	}
	for _, tc := range cases {
		for _, step := range []int{1, 3, 7, 1 << 20} {
			t.Run(fmt.Sprintf("%s/step%d", tc.name, step), func(t *testing.T) {
				heads, ends, out, raw := collect([]byte(tc.in), step)
				if len(heads) != tc.heads || ends != tc.ends || raw != tc.raw {
					t.Fatalf("heads %d ends %d raw %v, want %d %d %v", len(heads), ends, raw, tc.heads, tc.ends, tc.raw)
				}
				if tc.name != "partial" && !bytes.Equal(out, []byte(tc.in)) {
					t.Fatalf("bytes not conserved: got %q", out)
				}
			})
		}
	}
}

func TestParseHead(t *testing.T) {
	h, err := parseHead([]byte("POST /a HTTP/1.0\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\n"))
	if err != nil || h.Method != "POST" || h.Target != "/a" || h.ContentLength != 12 || h.Close {
		t.Fatalf("got %+v %v", h, err)
	}
}

// FuzzSplitter: any bytes, in any split, never panic, and every byte fed
// comes out exactly once and in order (when the stream completes).
func FuzzSplitter(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), uint8(1))
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), uint8(2))
	f.Add([]byte("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET"), uint8(5))
	f.Add([]byte("\r\n\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		st := int(step%16) + 1
		var s httpSplitter
		var out []byte
		for i := 0; i < len(in); i += st {
			_ = s.Feed(in[i:min(i+st, len(in))], func(ev reqEvent) error {
				out = append(out, ev.data...)
				return nil
			})
		}
		// Bytes still gathered (an unfinished head or line) are pending.
		pending := len(s.buf)
		if !bytes.Equal(out, in[:len(in)-pending]) {
			t.Fatalf("out %q is not the input's prefix %q", out, in[:len(in)-pending])
		}
	})
}
