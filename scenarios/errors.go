package scenarios

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a scenario file: where it is, what is wrong, and
// what would have been accepted. It prints as one line,
// "file:line:col: what is wrong (allowed: ...)", so that editors and CI logs
// can jump to it.
type Error struct {
	Pos     Pos
	Msg     string
	Allowed string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Pos.File != "" {
		b.WriteString(e.Pos.File)
		b.WriteByte(':')
	}
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Pos.Line, e.Pos.Col)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	if e.Allowed != "" {
		b.WriteString(" (allowed: ")
		b.WriteString(e.Allowed)
		b.WriteByte(')')
	}
	return b.String()
}

// ErrorList is every problem found in one file, in file order. Decode and
// Validate return it as their error when there is at least one.
type ErrorList []*Error

func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find the individual *Error values.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Errors returns the *Error values inside err: every entry of an ErrorList,
// or the single *Error. It returns nil for other errors.
func Errors(err error) []*Error {
	var l ErrorList
	if errors.As(err, &l) {
		return l
	}
	var e *Error
	if errors.As(err, &e) {
		return []*Error{e}
	}
	return nil
}

// maxErrors bounds how many problems one file reports, so that a garbage
// file does not flood a terminal.
const maxErrors = 20

// errs collects problems while decoding or validating one file.
type errs struct {
	list ErrorList
}

func (c *errs) add(p Pos, allowed, format string, args ...any) {
	if len(c.list) >= maxErrors {
		return
	}
	c.list = append(c.list, &Error{Pos: p, Msg: fmt.Sprintf(format, args...), Allowed: allowed})
}

func (c *errs) addErr(e *Error) {
	if len(c.list) < maxErrors {
		c.list = append(c.list, e)
	}
}

// err returns the problems in file order, or nil.
func (c *errs) err() error {
	if len(c.list) == 0 {
		return nil
	}
	sort.SliceStable(c.list, func(i, j int) bool {
		a, b := c.list[i].Pos, c.list[j].Pos
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	return c.list
}
