package scenarios

import (
	"os"
	"path/filepath"
	"testing"
)

// seedScenarios are every scenario under testdata and the catalogue, good
// and broken; they run as unit tests on every go test.
func seedScenarios(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	bad, _ := filepath.Glob("testdata/bad/*.yaml")
	for _, p := range append(files, bad...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, e := range Catalog() {
		data, _ := CatalogSource(e.Name)
		f.Add(data)
	}
	f.Add([]byte("version: 1\nname: x\n&a [*a, *a]: 1\n"))
	f.Add([]byte("version: 1\n<<: {a: 1}\n"))
	f.Add([]byte("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"))
	f.Add([]byte("\x00\xff"))
}

// FuzzParseScenario: no input makes Decode panic, and every failure is an
// ErrorList of positioned one-line errors.
func FuzzParseScenario(f *testing.F) {
	seedScenarios(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode("fuzz.yaml", data)
		if err == nil {
			if s == nil {
				t.Fatal("nil scenario without error")
			}
			_ = NewPlan(s).Timeline()
			return
		}
		list := Errors(err)
		if len(list) == 0 {
			t.Fatalf("error is not an ErrorList: %v", err)
		}
		for _, e := range list {
			if e.Pos.File != "fuzz.yaml" || e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Fatalf("error without a position: %q", e.Error())
			}
		}
	})
}

// FuzzParseExpectation: no input panics, errors are *ExprError within the
// source, and what parses prints back to something that parses the same.
func FuzzParseExpectation(f *testing.F) {
	for _, s := range []string{
		"availability(browse) >= 99.9%", "p99(order) <= 250ms during fault(kill-orders)",
		"consistency_lag.p99 <= 2s", "lost_writes == 0", "blast_radius.endpoints <= 34%",
		"ttr(kill-orders) <= 10s", "availability(*) < 90% for 5s", "contained(x)",
		"blast_radius.endpoints(patterns=off) > blast_radius.endpoints(patterns=on)",
		"p99(a, b) < 1s", "availability >= 99% durng", "((((", "p99 <= 1e400s", "rate >= 1.5k/s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseExpectation(src)
		if err != nil {
			ee, ok := err.(*ExprError)
			if !ok || ee.Offset < 0 || ee.Offset > len(src) {
				t.Fatalf("%q: bad error %v", src, err)
			}
			return
		}
		again, err := ParseExpectation(e.String())
		if err != nil || again.String() != e.String() {
			t.Fatalf("%q printed as %q, which reparses as %v, %v", src, e.String(), again, err)
		}
	})
}

// FuzzParseValues: the value parsers never panic and never return a
// negative or non-finite value.
func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"300/s", "5k/s", "1.5k/s", "20/m", "99.9%", "64KiB", "1MB", "1m30s", "count(3)", "percent(50)", "200-299"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseRate(s); err == nil && (r.Freq < 0 || r.Freq > maxRate || r.Per <= 0) {
			t.Fatalf("ParseRate(%q) = %+v", s, r)
		}
		if v, err := ParsePercent(s); err == nil && (v < 0 || v > 1) {
			t.Fatalf("ParsePercent(%q) = %v", s, v)
		}
		if v, err := ParseBytes(s); err == nil && v < 0 {
			t.Fatalf("ParseBytes(%q) = %v", s, v)
		}
		if v, err := ParseDuration(s); err == nil && v < 0 {
			t.Fatalf("ParseDuration(%q) = %v", s, v)
		}
		if p, err := ParsePick(s); err == nil && (p.N < 0 || p.Percent < 0 || p.Percent > 100) {
			t.Fatalf("ParsePick(%q) = %+v", s, p)
		}
		if r, err := ParseStatusRange(s); err == nil && (r.From < 100 || r.To > 599 || r.From > r.To) {
			t.Fatalf("ParseStatusRange(%q) = %+v", s, r)
		}
		_, _ = ParseTemplate(s)
	})
}
