package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// renderers maps each report format to its renderer. Later formats add
// themselves here.
var renderers = map[string]func(io.Writer, *Result) error{
	"text":  WriteText,
	"json":  writeJSONTo,
	"md":    WriteMarkdown,
	"junit": WriteJUnit,
	"html":  WriteHTML,
}

// Formats lists the report formats Render accepts, sorted.
func Formats() []string {
	out := make([]string, 0, len(renderers))
	for f := range renderers {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// ErrFormat is wrapped by Render's error for an unknown format.
var ErrFormat = fmt.Errorf("unknown report format")

// Render writes r in format (see Formats).
func Render(w io.Writer, r *Result, format string) error {
	f, ok := renderers[format]
	if !ok {
		return fmt.Errorf("%w %q: allowed are %s", ErrFormat, format, strings.Join(Formats(), ", "))
	}
	return f(w, r)
}

func writeJSONTo(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
