package reports

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// The page is self-contained: one CSP that forbids fetches, no script, no
// external reference, every chart inline.
func TestHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, goldenFixture()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	// 2 endpoints × 2 charts, the t-visibility curve, the graph.
	if n := strings.Count(page, `<figure class="chart"`); n != 6 {
		t.Errorf("%d charts, want 6", n)
	}
	if n := strings.Count(page, "<svg"); n != 6 {
		t.Errorf("%d inline svg, want 6", n)
	}
	for _, bad := range []string{"<script", "<link", "<img", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	// The only URLs are XML namespaces, which are names, not fetches.
	for _, m := range regexp.MustCompile(`https?://[^"' )]+`).FindAllString(page, -1) {
		if !strings.HasPrefix(m, "http://www.w3.org/") {
			t.Errorf("external reference %s", m)
		}
	}
	for _, want := range []string{"default-src &#39;none&#39;", "slow-orders", "isolation: 0/1 broken", "78.824%"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// Names from a scenario cannot inject markup.
func TestHTMLEscapes(t *testing.T) {
	r := goldenFixture()
	r.Header.Scenario = `<script>alert(1)</script>`
	r.Events[0].Fault = `"><img src=x>`
	r.Events[1].Fault = r.Events[0].Fault
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script>") || strings.Contains(b.String(), "<img") {
		t.Fatal("unescaped name in the page")
	}
}
