package proxy

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// httpSplitter cuts an HTTP/1.1 request stream into messages, fed in
// arbitrary pieces, so that HTTP toxics can act per request. It forwards
// every byte it is given exactly once, in order, in some event; on
// anything it does not understand it falls back to raw pass-through for
// the rest of the stream (a proxy must never break traffic it cannot
// parse).
type httpSplitter struct {
	state splitState
	buf   []byte // head, chunk-size line, trailer line or chunk CRLF being gathered
	left  int64  // body or chunk bytes still to come
}

type splitState int

const (
	stHead splitState = iota
	stBody
	stChunkSize
	stChunkData
	stChunkCRLF
	stTrailer
	stRaw
)

// Limits beyond which the stream is passed through raw.
const (
	maxHeadBytes = 64 << 10
	maxLineBytes = 4 << 10
)

type evKind int

const (
	evHead evKind = iota // a complete request head (request line + headers)
	evBody               // body bytes, chunk framing included
	evEnd                // the request is complete (no bytes)
	evRaw                // bytes passed through unparsed
)

// reqEvent is one piece of the stream. data is only valid during emit.
type reqEvent struct {
	kind evKind
	data []byte
	head *reqHead
}

// reqHead is what the toxics need from a request head.
type reqHead struct {
	Method, Target string
	ContentLength  int64
	Chunked        bool
	Close          bool // the client asked for the connection to close
}

var errBadHead = errors.New("not an HTTP/1.x request head")

// Feed splits p; emit may return an error to stop (Feed returns it).
func (s *httpSplitter) Feed(p []byte, emit func(reqEvent) error) error {
	for len(p) > 0 {
		var err error
		switch s.state {
		case stRaw:
			return emit(reqEvent{kind: evRaw, data: p})
		case stHead:
			p, err = s.feedHead(p, emit)
		case stBody, stChunkData:
			n := min(int64(len(p)), s.left)
			s.left -= n
			if err = emit(reqEvent{kind: evBody, data: p[:n]}); err != nil {
				return err
			}
			p = p[n:]
			if s.left == 0 {
				if s.state == stBody {
					s.state = stHead
					err = emit(reqEvent{kind: evEnd})
				} else {
					s.state = stChunkCRLF
				}
			}
		case stChunkCRLF:
			need := 2 - len(s.buf)
			n := min(need, len(p))
			s.buf = append(s.buf, p[:n]...)
			p = p[n:]
			if len(s.buf) == 2 {
				if string(s.buf) != "\r\n" {
					return s.goRaw(p, emit)
				}
				err = s.flushBuf(emit, stChunkSize)
			}
		case stChunkSize, stTrailer:
			p, err = s.feedLine(p, emit)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// goRaw gives up parsing: what was gathered and the rest pass through.
func (s *httpSplitter) goRaw(rest []byte, emit func(reqEvent) error) error {
	s.state = stRaw
	if len(s.buf) > 0 {
		b := s.buf
		s.buf = nil
		if err := emit(reqEvent{kind: evRaw, data: b}); err != nil {
			return err
		}
	}
	if len(rest) > 0 {
		return emit(reqEvent{kind: evRaw, data: rest})
	}
	return nil
}

func (s *httpSplitter) flushBuf(emit func(reqEvent) error, next splitState) error {
	b := s.buf
	s.buf = s.buf[:0:0]
	s.state = next
	return emit(reqEvent{kind: evBody, data: b})
}

func (s *httpSplitter) feedHead(p []byte, emit func(reqEvent) error) ([]byte, error) {
	from := max(0, len(s.buf)-3)
	s.buf = append(s.buf, p...)
	i := bytes.Index(s.buf[from:], []byte("\r\n\r\n"))
	if i < 0 {
		if len(s.buf) > maxHeadBytes {
			return nil, s.goRaw(nil, emit)
		}
		return nil, nil
	}
	end := from + i + 4
	rest := p[len(p)-(len(s.buf)-end):]
	head := s.buf[:end]
	h, err := parseHead(head)
	if err != nil {
		s.buf = head
		return nil, s.goRaw(rest, emit)
	}
	s.buf = nil
	switch {
	case h.Chunked:
		s.state = stChunkSize
	case h.ContentLength > 0:
		s.state, s.left = stBody, h.ContentLength
	}
	if err := emit(reqEvent{kind: evHead, data: head, head: h}); err != nil {
		return nil, err
	}
	if s.state == stHead {
		if err := emit(reqEvent{kind: evEnd}); err != nil {
			return nil, err
		}
	}
	return rest, nil
}

// feedLine gathers a chunk-size or trailer line.
func (s *httpSplitter) feedLine(p []byte, emit func(reqEvent) error) ([]byte, error) {
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		s.buf = append(s.buf, p...)
		if len(s.buf) > maxLineBytes {
			return nil, s.goRaw(nil, emit)
		}
		return nil, nil
	}
	s.buf = append(s.buf, p[:i+1]...)
	rest := p[i+1:]
	line := strings.TrimRight(string(s.buf), "\r\n")
	if s.state == stTrailer {
		if line != "" {
			return rest, s.flushBuf(emit, stTrailer)
		}
		if err := s.flushBuf(emit, stHead); err != nil {
			return nil, err
		}
		return rest, emit(reqEvent{kind: evEnd})
	}
	sz, _, _ := strings.Cut(line, ";")
	n, err := strconv.ParseInt(strings.TrimSpace(sz), 16, 64)
	if err != nil || n < 0 {
		return nil, s.goRaw(rest, emit)
	}
	if n == 0 {
		return rest, s.flushBuf(emit, stTrailer)
	}
	s.left = n
	return rest, s.flushBuf(emit, stChunkData)
}

// parseHead reads the request line and the headers that frame the body.
func parseHead(b []byte) (*reqHead, error) {
	lines := strings.Split(strings.TrimLeft(string(b), "\r\n"), "\r\n")
	parts := strings.Split(lines[0], " ")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || !strings.HasPrefix(parts[2], "HTTP/1.") {
		return nil, errBadHead
	}
	h := &reqHead{Method: parts[0], Target: parts[1], Close: parts[2] == "HTTP/1.0"}
	seenCL := false
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		name, val, ok := strings.Cut(l, ":")
		if !ok {
			return nil, errBadHead
		}
		val = strings.TrimSpace(val)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-length":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n < 0 || (seenCL && n != h.ContentLength) {
				return nil, errBadHead
			}
			h.ContentLength, seenCL = n, true
		case "transfer-encoding":
			h.Chunked = strings.HasSuffix(strings.ToLower(val), "chunked")
			if !h.Chunked {
				return nil, errBadHead // a body we cannot frame
			}
		case "connection":
			switch strings.ToLower(val) {
			case "close":
				h.Close = true
			case "keep-alive":
				h.Close = false
			}
		}
	}
	return h, nil
}
