package probes

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

// Rendering fills every action; generated values in a path are escaped so
// that they stay inside the path.
func TestRender(t *testing.T) {
	e := &env{id: "p-1", seq: 7, uuid: "u-1", rng: rand.New(rand.NewPCG(1, 7)),
		caps: map[string]string{"id": "a/b?c", "order.id": "42"}}
	for _, tc := range []struct {
		src    string
		escape bool
		want   string
	}{
		// probe_id and seq as written.
		{"/r/{{probe_id}}/{{seq}}", true, "/r/p-1/7"},
		// A captured value with / and ? is escaped in a path ...
		{`/r/{{capture "write" "id"}}`, true, "/r/a%2Fb%3Fc"},
		// ... and kept as is in a body.
		{`{"id":"{{capture "write" "id"}}"}`, false, `{"id":"a/b?c"}`},
		// Nested JSON paths.
		{`/o/{{capture "write" "order.id"}}`, true, "/o/42"},
		// rand stays within its bounds (one value: 5..5).
		{"{{rand 5 5}}", false, "5"},
		// Plain text.
		{"/static", true, "/static"},
	} {
		tp, err := parseTmpl(tc.src, "test")
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		got, err := tp.render(e, tc.escape)
		if err != nil || got != tc.want {
			t.Errorf("render %q = %q, %v; want %q", tc.src, got, err, tc.want)
		}
	}
	tp, _ := parseTmpl(`{{capture "write" "missing"}}`, "test")
	if _, err := tp.render(e, true); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("missing capture: err = %v, want one naming the field", err)
	}
}

// Extraction follows dotted paths through objects and arrays and skips
// what is not there.
func TestExtract(t *testing.T) {
	body := []byte(`{"id":12345678901234567890,"order":{"id":"o-1","ok":true},"items":[{"sku":"s1"}]}`)
	got := extract(body, []string{"id", "order.id", "order.ok", "items.0.sku", "items.1.sku", "order", "nope"})
	want := map[string]string{"id": "12345678901234567890", "order.id": "o-1", "order.ok": "true", "items.0.sku": "s1"}
	if len(got) != len(want) {
		t.Fatalf("extract = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("extract[%q] = %q, want %q", k, got[k], v)
		}
	}
	if extract([]byte("not json"), []string{"id"}) != nil {
		t.Error("extract of non-JSON returned values")
	}
}

// FuzzRender: any template either fails to parse or renders without
// panicking, and an escaped render appended to a base URL keeps the host.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"/r/{{probe_id}}", `/r/{{capture "write" "id"}}`, "{{rand 1 9}}", "{{", "}}", "{{seq}}{{uuid}}", `{{capture "write" ""}}`, "{{rand -9223372036854775808 9223372036854775807}}"} {
		f.Add(s, "v@evil.example/x?y#z")
	}
	f.Fuzz(func(t *testing.T, src, captured string) {
		tp, err := parseTmpl(src, "fuzz")
		if err != nil {
			return
		}
		e := &env{id: captured, uuid: captured, rng: rand.New(rand.NewPCG(0, 0)), caps: map[string]string{}}
		for _, p := range tp.captures() {
			e.caps[p] = captured
		}
		out, err := tp.render(e, true)
		if err != nil {
			t.Fatalf("render %q: %v", src, err)
		}
		if strings.Contains(src, "@") || strings.Contains(src, "#") || strings.Contains(src, "?") || strings.Contains(src, "%") {
			return // the literal text itself may legitimately hold these
		}
		u, err := url.Parse(joinURL("http://127.0.0.1:1", out))
		if err == nil && u.Host != "127.0.0.1:1" {
			t.Fatalf("rendered %q moved the host to %q", out, u.Host)
		}
	})
}

// FuzzExtract: any body and path, no panic.
func FuzzExtract(f *testing.F) {
	f.Add([]byte(`{"a":{"b":[1,"x",true]}}`), "a.b.1")
	f.Add([]byte(`[1,2]`), "0")
	f.Add([]byte(`{`), "")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		_ = extract(body, []string{path})
	})
}
