package load

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
)

func TestTemplateRender(t *testing.T) {
	caps := newCaptureStore(map[string]map[string]string{"order": {"id": "id"}})
	env := &renderEnv{k: 42, key: 7, caps: caps}
	cases := []struct {
		name, src string
		mode      esc
		want      string // exact, or a regexp when re is set
		re        bool
	}{
		// Plain text is itself.
		{"literal", "/health", escPath, "/health", false},
		// {{seq}} is the hit number.
		{"seq", "/items/{{seq}}", escPath, "/items/42", false},
		// Spaces inside the braces are allowed.
		{"spaces", "/items/{{ seq }}", escPath, "/items/42", false},
		// {{rand A B}} is an integer in the range.
		{"rand", "/p/{{rand 1 100}}", escPath, `^/p/([1-9][0-9]?|100)$`, true},
		// A one-value range is that value.
		{"rand fixed", "{{rand -5 -5}}", escBody, "-5", false},
		// {{uuid}} is a version 4 uuid.
		{"uuid", "{{uuid}}", escBody, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, true},
		// Before anything was captured, capture falls back to "none".
		{"capture fallback", "/orders/{{capture \"order\" \"id\"}}", escPath, "/orders/none", false},
		// ... or to the given default.
		{"capture default", `/orders/{{capture "order" "id" "0"}}`, escPath, "/orders/0", false},
		// Several actions and literals mix.
		{"mixed", `{"n":{{seq}},"s":"{{seq}}x"}`, escBody, `{"n":42,"s":"42x"}`, false},
	}
	for _, c := range cases {
		tm, err := parseTemplate(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := tm.render(env, c.mode, 0)
		if c.re {
			if !regexp.MustCompile(c.want).MatchString(got) {
				t.Errorf("%s: %q does not match %s", c.name, got, c.want)
			}
		} else if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// Captured values are escaped for where they go: a path cannot gain a
// segment or a host, a header cannot gain a line.
func TestTemplateCaptureEscaping(t *testing.T) {
	caps := newCaptureStore(map[string]map[string]string{"order": {"id": "id"}})
	caps.add("order", "id", "a/b?c\r\nX-Evil: 1")
	tm, _ := parseTemplate(`/o/{{capture "order" "id"}}`)
	env := &renderEnv{k: 1, caps: caps}
	if got := tm.render(env, escPath, 0); got != "/o/a%2Fb%3Fc%0D%0AX-Evil:%201" {
		t.Errorf("path: %q", got)
	}
	if got := tm.render(env, escHeader, 0); got != "/o/a/b?cX-Evil: 1" {
		t.Errorf("header: %q", got)
	}
}

// rand and uuid are reproducible from the seed and differ between hits.
func TestTemplateSeeded(t *testing.T) {
	tm, _ := parseTemplate("{{rand 1 1000000}}-{{uuid}}")
	a := tm.render(&renderEnv{k: 1, key: 99}, escBody, 0)
	b := tm.render(&renderEnv{k: 1, key: 99}, escBody, 0)
	c := tm.render(&renderEnv{k: 2, key: 99}, escBody, 0)
	d := tm.render(&renderEnv{k: 1, key: 100}, escBody, 0)
	if a != b {
		t.Errorf("same seed and hit differ: %q %q", a, b)
	}
	if a == c || a == d {
		t.Errorf("different hits or seeds agree: %q %q %q", a, c, d)
	}
	// rand is uniform enough: 10000 draws of 1..10 put each value near 1000.
	tm, _ = parseTemplate("{{rand 1 10}}")
	counts := map[string]int{}
	for k := uint64(0); k < 10000; k++ {
		counts[tm.render(&renderEnv{k: k, key: 5}, escBody, 0)]++
	}
	for v := 1; v <= 10; v++ {
		if n := counts[strconv.Itoa(v)]; n < 850 || n > 1150 {
			t.Errorf("rand value %d drawn %d times of 10000, want about 1000", v, n)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"/x/{{seq", "without a closing"},           // unterminated action
		{"{{}}", "empty"},                           // nothing inside
		{"{{now}}", `unknown function "now"`},       // not a template function
		{"{{seq 1}}", "no arguments"},               // seq takes none
		{"{{rand 10 1}}", "A <= B"},                 // reversed range
		{"{{rand a b}}", "A <= B"},                  // not integers
		{`{{capture "order"}}`, "capture takes"},    // name missing
		{`{{capture order id}}`, "quoted strings"},  // unquoted
		{`{{capture "order" "id}}`, "unterminated"}, // open quote
		{`{{capture "" "id"}}`, "non-empty"},        // empty endpoint
	}
	for _, c := range cases {
		_, err := parseTemplate(c.src)
		if err == nil || !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.src, err, c.want)
		}
	}
}

// FuzzTemplate: parsing never panics, and whatever parses renders without
// panicking, in every escaping mode, with and without captured values.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"", "/x", "{{seq}}", "{{rand 1 100}}", "{{uuid}}", `{{capture "a" "b"}}`,
		`{{capture "a" "b" "c"}}`, "{{", "}}", "{{rand -9223372036854775808 9223372036854775807}}",
		`{{capture "a\"" "b"}}`, "{{ seq }}{{seq}}", "{{\x00}}"} {
		f.Add(s, uint64(3))
	}
	caps := newCaptureStore(map[string]map[string]string{"a": {"b": "b"}})
	caps.add("a", "b", "v/1")
	f.Fuzz(func(t *testing.T, src string, k uint64) {
		tm, err := parseTemplate(src)
		if err != nil {
			if !errors.Is(err, ErrTemplate) {
				t.Fatalf("error not wrapping ErrTemplate: %v", err)
			}
			return
		}
		for _, mode := range []esc{escPath, escBody, escHeader} {
			_ = tm.render(&renderEnv{k: k, key: k * 3, caps: caps}, mode, 1)
			_ = tm.render(&renderEnv{k: k}, mode, 2)
		}
		if !strings.Contains(src, "{{") && tm.render(&renderEnv{}, escBody, 0) != src {
			t.Fatalf("literal %q changed", src)
		}
	})
}

// FuzzNewMix: any endpoint New is handed is either refused with an error
// or accepted and renders a request URL that parses. Never a panic.
func FuzzNewMix(f *testing.F) {
	f.Add("/x/{{seq}}", `{"a":{{rand 1 9}}}`, "X-A", "{{uuid}}", "GET", 1.0)
	f.Add("x", "", "", "", "", -1.0)
	f.Add(`/{{capture "e" "id"}}`, "", "Bad Header", "v\n", "P O", 0.0)
	f.Fuzz(func(t *testing.T, path, body, hname, hval, method string, weight float64) {
		ep := scenarios.Endpoint{Name: "e", Weight: weight, Method: method, Path: path, Body: body,
			Headers: map[string]string{hname: hval}, Capture: map[string]string{"id": "id"}}
		m, err := newMix([]scenarios.Endpoint{ep}, 1)
		if err != nil {
			return
		}
		u := m.eps[0].path.render(&renderEnv{k: 1, key: 2}, escPath, 0)
		if _, err := url.ParseRequestURI("http://127.0.0.1" + u); err != nil {
			t.Fatalf("accepted path %q renders %q: %v", path, u, err)
		}
	})
}
