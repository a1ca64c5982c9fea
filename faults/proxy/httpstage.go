package proxy

import (
	"fmt"
	"net/http"
)

// httpAction is what an HTTP toxic does with one request.
type httpAction int

const (
	actForward httpAction = iota
	actDelay
	actAbort
)

// httpStage runs an upstream stream through the splitter and lets the
// toxic decide per request: forward, delay (then forward), or abort
// (answer the client itself and drop the request).
type httpStage struct {
	env    *Env
	sp     httpSplitter
	decide func() httpAction
	delay  int64 // ms, for actDelay
	status int   // for actAbort
	act    httpAction
	head   *reqHead
}

func (s *httpStage) Pipe(c Chunk, next func(Chunk) error) error {
	if c.EOF {
		// A partial message held at the end of the stream still belongs
		// to the upstream, unless it is part of an aborted request.
		if b := s.sp.buf; len(b) > 0 && (s.sp.state == stHead || s.act != actAbort) {
			s.sp.buf = nil
			if err := next(Chunk{Data: b, At: c.At}); err != nil {
				return err
			}
		}
		return next(c)
	}
	if !s.env.Active() && !s.Holding() {
		return next(c) // removed, at a message boundary: pass through
	}
	return s.sp.Feed(c.Data, func(ev reqEvent) error {
		switch ev.kind {
		case evHead:
			s.head, s.act = ev.head, actForward
			if s.env.Active() { // once removed, finish the message only
				s.act = s.decide()
			}
			switch s.act {
			case actDelay:
				s.env.SleepUntil(c.At.Add(ms(s.delay)))
			case actAbort:
				return s.env.Reply(abortResponse(s.status, ev.head.Close))
			}
		case evEnd:
			if s.act == actAbort && s.head.Close {
				s.env.Close(false)
				return errEndLink
			}
			return nil
		}
		if s.act == actAbort {
			return nil // the request never reaches the upstream
		}
		return next(Chunk{Data: ev.data, At: c.At})
	})
}

// Holding implements holder: the splitter is inside a request (a partial
// head, or a body still to come), so the stage must see the rest of it
// even after its toxic is removed.
func (s *httpStage) Holding() bool {
	return s.sp.state != stRaw && (s.sp.state != stHead || len(s.sp.buf) > 0)
}

func abortResponse(status int, closing bool) []byte {
	body := fmt.Sprintf("faultline: injected %d\n", status)
	conn := ""
	if closing {
		conn = "Connection: close\r\n"
	}
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nX-Faultline-Fault: http_abort\r\n%s\r\n%s",
		status, http.StatusText(status), len(body), conn, body)
}

// percentAttr checks a 0..100 percentage attribute.
func percentAttr(field string, v float64) error {
	if !(v >= 0 && v <= 100) {
		return fieldErr("attributes."+field, "must be within 0..100, got %v", v)
	}
	return nil
}
