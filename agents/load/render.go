package load

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// esc says where a rendered value goes, and so how it must be escaped.
type esc int

const (
	// escPath path-escapes generated values, so that a captured value can
	// never change the request's host or break its URL.
	escPath esc = iota
	// escBody inserts values as they are.
	escBody
	// escHeader drops control characters, so that no value can add a header.
	escHeader
)

// renderEnv is what one hit's templates are rendered with.
type renderEnv struct {
	k    uint64        // hit number
	key  uint64        // random stream key of the agent's run
	caps *captureStore // captured values; nil renders fallbacks
}

// appendTo renders t for env onto dst. slot separates the random draws of
// different templates of one hit (path, body, each header).
func (t *tmpl) appendTo(dst []byte, env *renderEnv, mode esc, slot uint64) []byte {
	for i, p := range t.parts {
		n := slot<<16 | uint64(i)
		switch p.fn {
		case fnLiteral:
			dst = append(dst, p.lit...)
		case fnSeq:
			dst = strconv.AppendUint(dst, env.k, 10)
		case fnRand:
			span := uint64(p.hi-p.lo) + 1
			v := draw(env.key, env.k, n)
			if span != 0 {
				v %= span
			}
			dst = strconv.AppendInt(dst, p.lo+int64(v), 10)
		case fnUUID:
			dst = append(dst, uuidFor(env, n)...)
		case fnCapture:
			v, ok := "", false
			if env.caps != nil {
				v, ok = env.caps.pick(p.ep, p.name, draw(env.key, env.k, n))
			}
			if !ok {
				v = p.def
			}
			dst = appendEscaped(dst, v, mode)
		}
	}
	return dst
}

// render is appendTo into a new string.
func (t *tmpl) render(env *renderEnv, mode esc, slot uint64) string {
	if t.static() {
		return t.src
	}
	return string(t.appendTo(make([]byte, 0, len(t.src)+32), env, mode, slot))
}

// uuidFor draws a version 4 uuid from the seeded stream.
func uuidFor(env *renderEnv, n uint64) string {
	var u uuid.UUID
	a, b := draw(env.key, env.k, n), draw(env.key, env.k, n^0xffff_0000_0000)
	for i := 0; i < 8; i++ {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(b >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

func appendEscaped(dst []byte, v string, mode esc) []byte {
	switch mode {
	case escPath:
		return append(dst, url.PathEscape(v)...)
	case escHeader:
		return append(dst, strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, v)...)
	}
	return append(dst, v...)
}
