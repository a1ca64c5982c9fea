package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
)

// JUnit XML, the shape every CI system reads (the Ant/Jenkins junit
// schema): testsuites > testsuite > testcase, with failure or error
// children. Each verdict (expectation or claim) is one test case.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit renders the verdicts as JUnit XML: one test case per
// expectation and claim, the observed value in the failure message. A
// truncated result adds a failing "run completed" case, so that a crashed
// run never reads as green.
func WriteJUnit(w io.Writer, r *Result) error {
	secs := strconv.FormatFloat(max(r.Span().Seconds(), 0), 'f', 3, 64)
	suite := junitSuite{Name: r.Header.Scenario, Time: secs,
		Timestamp: r.Origin().UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{"run_id", r.Header.RunID}, {"schema", r.Header.Schema}, {"seed", strconv.FormatInt(r.Header.Seed, 10)},
			{"variant", r.Header.Variant}, {"faultline_version", r.Header.Version}, {"target", r.Header.Target}}}
	props := suite.Properties[:0]
	for _, p := range suite.Properties {
		if p.Value != "" {
			props = append(props, p)
		}
	}
	suite.Properties = props
	if suite.Name == "" {
		suite.Name = "faultline"
	}
	for _, v := range r.Verdicts {
		class := suite.Name + "." + orDash(v.Kind)
		if v.Claim != "" {
			class += "." + v.Claim
		}
		c := junitCase{Name: v.Expectation, Classname: class,
			Time: strconv.FormatFloat(max((v.To-v.From).Seconds(), 0), 'f', 3, 64)}
		msg := fmt.Sprintf("observed %s, bound %s", fmtValue(v.Observed, v.Unit), fmtValue(v.Bound, v.Unit))
		body := fmt.Sprintf("%s\nexpectation: %s\nwindow: %s..%s\n%s", msg, v.Expectation, fmtOffset(v.From), fmtOffset(v.To), v.Detail)
		switch verdictStatus(v) {
		case "pass":
		case "ERROR":
			c.Error = &junitProblem{Message: "could not be judged: " + v.Detail, Type: "error", Text: body}
			suite.Errors++
		default:
			c.Failure = &junitProblem{Message: msg, Type: "fail", Text: body}
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, c)
	}
	if r.Truncated {
		suite.Cases = append(suite.Cases, junitCase{Name: "run completed", Classname: suite.Name + ".harness", Time: "0.000",
			Error: &junitProblem{Message: "the result has no end record: the run crashed or is still going", Type: "truncated",
				Text: fmt.Sprintf("%d complete windows were written before the cut", len(r.Windows))}})
		suite.Errors++
	}
	suite.Tests = len(suite.Cases)
	all := junitSuites{Name: "faultline", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Time: secs,
		Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
