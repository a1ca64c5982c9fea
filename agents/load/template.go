package load

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ErrTemplate is wrapped by every template parse error.
var ErrTemplate = errors.New("bad template")

// Template functions, as written between {{ and }}.
const (
	fnLiteral = iota
	fnSeq     // {{seq}}: this agent's hit number
	fnRand    // {{rand A B}}: an integer in [A, B], seeded
	fnUUID    // {{uuid}}: a version 4 uuid, seeded
	fnCapture // {{capture "endpoint" "name" ["default"]}}: a captured value
)

// captureFallback is what {{capture}} renders before any value was captured
// and no default is given: fixed, so that a run stays reproducible.
const captureFallback = "none"

// part is one literal run or one action of a template.
type part struct {
	fn       int
	lit      string
	lo, hi   int64
	ep, name string
	def      string
}

// tmpl is a parsed template: parsed once, rendered per hit.
type tmpl struct {
	src   string
	parts []part
}

// static reports whether rendering always gives the source text.
func (t *tmpl) static() bool {
	return len(t.parts) == 0 || (len(t.parts) == 1 && t.parts[0].fn == fnLiteral)
}

// captures lists the (endpoint, name) pairs the template reads.
func (t *tmpl) captures() [][2]string {
	var out [][2]string
	for _, p := range t.parts {
		if p.fn == fnCapture {
			out = append(out, [2]string{p.ep, p.name})
		}
	}
	return out
}

// parseTemplate parses src. Text outside {{ }} is literal.
func parseTemplate(src string) (*tmpl, error) {
	t := &tmpl{src: src}
	rest, off := src, 0
	for rest != "" {
		i := strings.Index(rest, "{{")
		if i < 0 {
			t.parts = append(t.parts, part{lit: rest})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, part{lit: rest[:i]})
		}
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("%w %q: column %d: {{ without a closing }}", ErrTemplate, src, off+i+1)
		}
		p, err := parseAction(rest[i+2 : i+2+j])
		if err != nil {
			return nil, fmt.Errorf("%w %q: column %d: %v", ErrTemplate, src, off+i+1, err)
		}
		t.parts = append(t.parts, p)
		off += i + 2 + j + 2
		rest = rest[i+2+j+2:]
	}
	return t, nil
}

const allowedFuncs = `allowed: {{seq}}, {{rand 1 100}}, {{uuid}}, {{capture "endpoint" "name"}}`

func parseAction(s string) (part, error) {
	words, err := splitWords(s)
	if err != nil {
		return part{}, err
	}
	if len(words) == 0 {
		return part{}, fmt.Errorf("empty {{}} (%s)", allowedFuncs)
	}
	args := words[1:]
	switch words[0] {
	case "seq", "uuid":
		if len(args) != 0 {
			return part{}, fmt.Errorf("%s takes no arguments", words[0])
		}
		if words[0] == "seq" {
			return part{fn: fnSeq}, nil
		}
		return part{fn: fnUUID}, nil
	case "rand":
		if len(args) != 2 {
			return part{}, fmt.Errorf("rand takes two integers, as in {{rand 1 100}}")
		}
		lo, err1 := strconv.ParseInt(args[0], 10, 64)
		hi, err2 := strconv.ParseInt(args[1], 10, 64)
		if err1 != nil || err2 != nil || lo > hi {
			return part{}, fmt.Errorf("rand takes two integers A <= B, got %q %q", args[0], args[1])
		}
		return part{fn: fnRand, lo: lo, hi: hi}, nil
	case "capture":
		if len(args) < 2 || len(args) > 3 {
			return part{}, fmt.Errorf(`capture takes "endpoint" "name" and an optional "default"`)
		}
		var q [3]string
		for i, a := range args {
			v, err := strconv.Unquote(a)
			if err != nil || (i < 2 && v == "") {
				return part{}, fmt.Errorf("capture arguments are non-empty quoted strings, got %s", a)
			}
			q[i] = v
		}
		def := captureFallback
		if len(args) == 3 {
			def = q[2]
		}
		return part{fn: fnCapture, ep: q[0], name: q[1], def: def}, nil
	}
	return part{}, fmt.Errorf("unknown function %q (%s)", words[0], allowedFuncs)
}

// splitWords splits an action on spaces, keeping "quoted strings" whole.
func splitWords(s string) ([]string, error) {
	var out []string
	for i := 0; i < len(s); {
		if s[i] == ' ' || s[i] == '\t' {
			i++
			continue
		}
		j := i
		if s[i] == '"' {
			j++
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string %s", s[i:])
			}
			j++
		} else {
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				if s[j] == '"' || !unicode.IsPrint(rune(s[j])) {
					return nil, fmt.Errorf("unexpected character %q", s[j])
				}
				j++
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out, nil
}
