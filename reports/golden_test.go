package reports

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func goldenFixture() *Result {
	return fixture(fixtureConfig{seed: 1, seconds: 30, agents: 2, endpoints: []string{"browse", "orders"}, rate: 100})
}

func TestMarkdownGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, goldenFixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md.golden", b.Bytes())
}

func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, goldenFixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.junit.xml.golden", b.Bytes())
}

// The JUnit XSD shape CI systems read (Ant/Jenkins): testsuites holds
// testsuite elements with name, tests, failures, errors, time and an
// ISO 8601 timestamp without zone; each testcase has name, classname and a
// decimal time, and at most one failure or error with message and type.
// The counts must agree with the cases.
func TestJUnitShape(t *testing.T) {
	for _, c := range []struct {
		name      string
		res       *Result
		tests     int
		failures  int
		errorsCnt int
	}{
		// One expectation passes, one claim fails.
		{"fixture", goldenFixture(), 2, 1, 0},
		// A crashed run adds an erroring "run completed" case.
		{"truncated", func() *Result { r := goldenFixture(); r.End, r.Truncated = nil, true; return r }(), 3, 1, 1},
		// A verdict that could not be computed is an error, not a failure.
		{"error verdict", func() *Result {
			r := goldenFixture()
			r.Verdicts = append(r.Verdicts, Verdict{Kind: "expect", Expectation: "lost_writes == 0", Status: "error", Detail: "no probes <&>"})
			return r
		}(), 3, 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJUnit(&b, c.res); err != nil {
				t.Fatal(err)
			}
			checkJUnitShape(t, b.Bytes(), c.tests, c.failures, c.errorsCnt)
		})
	}
}

func checkJUnitShape(t *testing.T, data []byte, tests, failures, errs int) {
	t.Helper()
	type problem struct {
		Message *string `xml:"message,attr"`
		Type    *string `xml:"type,attr"`
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Suites  []struct {
			Name      *string `xml:"name,attr"`
			Tests     *string `xml:"tests,attr"`
			Failures  *string `xml:"failures,attr"`
			Errors    *string `xml:"errors,attr"`
			Time      *string `xml:"time,attr"`
			Timestamp *string `xml:"timestamp,attr"`
			Cases     []struct {
				Name      *string   `xml:"name,attr"`
				Classname *string   `xml:"classname,attr"`
				Time      *string   `xml:"time,attr"`
				Failures  []problem `xml:"failure"`
				Errors    []problem `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuite elements, want 1", len(doc.Suites))
	}
	decimal := regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$`)
	s := doc.Suites[0]
	for n, a := range map[string]*string{"name": s.Name, "tests": s.Tests, "failures": s.Failures, "errors": s.Errors, "time": s.Time, "timestamp": s.Timestamp} {
		if a == nil {
			t.Fatalf("testsuite lacks required attribute %s", n)
		}
	}
	if !decimal.MatchString(*s.Time) || !stamp.MatchString(*s.Timestamp) {
		t.Errorf("testsuite time %q or timestamp %q malformed", *s.Time, *s.Timestamp)
	}
	nf, ne := 0, 0
	for _, c := range s.Cases {
		if c.Name == nil || c.Classname == nil || c.Time == nil || !decimal.MatchString(*c.Time) {
			t.Errorf("testcase lacks name, classname or decimal time: %+v", c)
		}
		if len(c.Failures)+len(c.Errors) > 1 {
			t.Errorf("testcase %s has %d problems, at most 1 allowed", *c.Name, len(c.Failures)+len(c.Errors))
		}
		for _, p := range append(c.Failures, c.Errors...) {
			if p.Message == nil || p.Type == nil || *p.Message == "" {
				t.Errorf("testcase %s: failure/error without message or type", *c.Name)
			}
		}
		nf += len(c.Failures)
		ne += len(c.Errors)
	}
	atoi := func(s *string) int { n, _ := strconv.Atoi(*s); return n }
	if len(s.Cases) != tests || atoi(s.Tests) != tests || nf != failures || atoi(s.Failures) != failures || ne != errs || atoi(s.Errors) != errs {
		t.Errorf("cases %d/%s failures %d/%s errors %d/%s, want %d %d %d", len(s.Cases), *s.Tests, nf, *s.Failures, ne, *s.Errors, tests, failures, errs)
	}
}
