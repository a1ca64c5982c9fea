package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxFileSize bounds a scenario file. Real scenarios are a few KiB; the
// bound keeps a wrong path (a log, a binary) from being parsed at length.
const MaxFileSize = 1 << 20

// LoadFile reads and decodes the scenario at path. A missing or unreadable
// file is one *Error naming the path.
func LoadFile(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		msg := "cannot read scenario file"
		if errors.Is(err, os.ErrNotExist) {
			msg = "no such scenario file"
		}
		return nil, &Error{Pos: Pos{File: path}, Msg: msg, Allowed: "a readable YAML file, or a catalogue name (faultline scenarios)"}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &Error{Pos: Pos{File: path}, Msg: "cannot read scenario file: " + err.Error()}
	}
	return Decode(path, data)
}

// Decode parses, defaults and validates one scenario file. file is only
// used in error positions. The error, when not nil, is an ErrorList of
// one-line *Error values in file order; the Scenario is nil then.
func Decode(file string, data []byte) (*Scenario, error) {
	root, perr := parseYAML(file, data)
	if perr != nil {
		return nil, ErrorList{perr}
	}
	d := &decoder{file: file}
	s := d.scenario(root)
	if err := d.err(); err != nil {
		return nil, err
	}
	applyDefaults(s)
	if err := Validate(s); err != nil {
		return nil, err
	}
	return s, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML returns the single document's top node, or one *Error.
func parseYAML(file string, data []byte) (n *yaml.Node, e *Error) {
	at := func(line int) Pos { return Pos{File: file, Line: line, Col: 1} }
	if len(data) > MaxFileSize {
		return nil, &Error{Pos: at(1), Msg: fmt.Sprintf("scenario file is larger than %d bytes", MaxFileSize)}
	}
	defer func() {
		// yaml.v3 has had panics on hostile input; a scenario file is
		// input, so turn any into an error rather than crash the CLI.
		if r := recover(); r != nil {
			n, e = nil, &Error{Pos: at(1), Msg: fmt.Sprintf("not valid YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Pos: at(1), Msg: "scenario file is empty", Allowed: "a YAML mapping starting with version: 1"}
		}
		return nil, yamlError(file, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{Pos: at(extra.Line), Msg: "more than one YAML document in a scenario file", Allowed: "one document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(file, data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &Error{Pos: at(1), Msg: "scenario file is empty", Allowed: "a YAML mapping starting with version: 1"}
	}
	top := doc.Content[0]
	if bad, deep := findAlias(top, 0); bad != nil {
		p := Pos{File: file, Line: bad.Line, Col: bad.Column}
		if deep {
			return nil, &Error{Pos: p, Msg: fmt.Sprintf("YAML nested more than %d levels deep", maxDepth)}
		}
		return nil, &Error{Pos: p, Msg: "YAML anchors, aliases and merge keys are not supported in scenarios", Allowed: "write the value out"}
	}
	return top, nil
}

func yamlError(file string, data []byte, err error) *Error {
	msg := err.Error()
	line, col := 1, 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if strings.Contains(msg, "tab character") {
		// yaml.v3 reports the line before the tab at times; a tab in
		// indentation is the commonest YAML mistake, so find it exactly.
		if l, c := firstIndentTab(data); l > 0 {
			line, col = l, c
		}
		return &Error{Pos: Pos{File: file, Line: line, Col: col}, Msg: "not valid YAML: a tab in indentation", Allowed: "spaces for indentation"}
	}
	return &Error{Pos: Pos{File: file, Line: line, Col: col}, Msg: "not valid YAML: " + msg}
}

// firstIndentTab returns the line and column of the first tab in leading
// whitespace, or 0, 0.
func firstIndentTab(data []byte) (line, col int) {
	for i, l := range strings.Split(string(data), "\n") {
		for j := 0; j < len(l) && (l[j] == ' ' || l[j] == '\t'); j++ {
			if l[j] == '\t' {
				return i + 1, j + 1
			}
		}
	}
	return 0, 0
}

// findAlias returns the first alias, anchor or merge key under n. Aliases
// are refused: they make positions ambiguous and allow exponential blowup.
// It also reports (deep=true) nesting beyond maxDepth.
func findAlias(n *yaml.Node, depth int) (bad *yaml.Node, deep bool) {
	if depth > maxDepth {
		return n, true
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" || n.Tag == "!!merge" {
		return n, false
	}
	for _, c := range n.Content {
		if b, deep := findAlias(c, depth+1); b != nil {
			return b, deep
		}
	}
	return nil, false
}

// maxDepth bounds YAML nesting; scenarios need about six levels.
const maxDepth = 32
