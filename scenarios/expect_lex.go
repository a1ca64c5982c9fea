package scenarios

import "fmt"

// token kinds of the expectation language.
type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokLiteral // starts with a digit: 99.9%, 250ms, 50/s, 0
	tokOp      // < <= > >= == !=
	tokPunct   // ( ) , * =
)

type token struct {
	kind tokKind
	text string
	off  int
}

func (t token) String() string {
	if t.kind == tokEOF {
		return "end of expectation"
	}
	return fmt.Sprintf("%q", t.text)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// lex splits src into tokens, or returns an *ExprError at the first byte
// it cannot read.
func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case isLetter(c):
			j := i + 1
			for j < len(src) && (isLetter(src[j]) || isDigit(src[j]) || src[j] == '-' || src[j] == '.') {
				j++
			}
			out = append(out, token{tokIdent, src[i:j], i})
			i = j
		case isDigit(c):
			j := i + 1
			for j < len(src) && (isLetter(src[j]) || isDigit(src[j]) || src[j] == '.' || src[j] == '%' || src[j] == '/') {
				j++
			}
			out = append(out, token{tokLiteral, src[i:j], i})
			i = j
		case c == '<' || c == '>' || c == '!' || c == '=':
			if i+1 < len(src) && src[i+1] == '=' {
				out = append(out, token{tokOp, src[i : i+2], i})
				i += 2
			} else if c == '<' || c == '>' {
				out = append(out, token{tokOp, src[i : i+1], i})
				i++
			} else if c == '=' {
				out = append(out, token{tokPunct, "=", i})
				i++
			} else {
				return nil, &ExprError{Offset: i, Msg: "unexpected \"!\"", Allowed: "!= as an operator"}
			}
		case c == '(' || c == ')' || c == ',' || c == '*':
			out = append(out, token{tokPunct, src[i : i+1], i})
			i++
		default:
			return nil, &ExprError{Offset: i, Msg: fmt.Sprintf("unexpected character %q", rune(c)), Allowed: "metric names, numbers with units, ( ) , * = and < <= > >= == !="}
		}
	}
	return append(out, token{tokEOF, "", len(src)}), nil
}
