package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrSchema is wrapped by every error about a result of another schema.
var ErrSchema = errors.New("unsupported result schema")

// windowKey identifies a window; a repeat (an agent resending after a
// reconnect) is dropped so that no request is counted twice.
type windowKey struct {
	run, agent, endpoint string
	seq                  uint64
}

// ReadJSONL rebuilds a Result from result.jsonl. It survives a file cut at
// any byte: a last line without its newline that does not parse is dropped
// and Truncated is set; Truncated is also set when there is no end record.
// Repeated windows are dropped. Records of unknown type are skipped (a
// newer v1 writer may add some). A header of another schema, a missing
// header, or a malformed line other than the last is an error.
func ReadJSONL(r io.Reader) (*Result, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	res := &Result{Windows: []Window{}}
	seen := map[windowKey]bool{}
	agents := map[string]int{}
	header := false
	for n := 1; ; n++ {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return nil, fmt.Errorf("read result line %d: %w", n, rerr)
		}
		last := rerr == io.EOF
		complete := !last // a line with its newline was written whole
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			if last {
				break
			}
			continue
		}
		if err := res.addLine(line, n, &header, seen, agents); err != nil {
			if !complete {
				res.Truncated = true // the writer was cut mid-record
				break
			}
			return nil, err
		}
		if last {
			break
		}
	}
	if !header {
		return nil, errors.New("result has no complete header record: the run ended before it wrote one, or this is not a faultline result.jsonl")
	}
	if res.End == nil {
		res.Truncated = true
	}
	return res, nil
}

// addLine decodes one line into res.
func (res *Result) addLine(line []byte, n int, header *bool, seen map[windowKey]bool, agents map[string]int) error {
	t, err := recordType(line)
	if err != nil {
		return fmt.Errorf("result line %d: not a JSON record: %v", n, err)
	}
	if !*header && t != RecHeader {
		return fmt.Errorf("result line %d: a %q record before the header; a result.jsonl starts with a header record", n, t)
	}
	bad := func(err error) error { return fmt.Errorf("result line %d: bad %s record: %v", n, t, err) }
	switch t {
	case RecHeader:
		if *header {
			return fmt.Errorf("result line %d: a second header; one result.jsonl holds one run", n)
		}
		if err := json.Unmarshal(line, &res.Header); err != nil {
			return bad(err)
		}
		if res.Header.Schema != Schema {
			return fmt.Errorf("result line %d: %w %q: this faultline reads %q", n, ErrSchema, res.Header.Schema, Schema)
		}
		*header = true
	case RecWindow:
		var w Window
		if err := json.Unmarshal(line, &w); err != nil {
			return bad(err)
		}
		k := windowKey{w.RunID, w.AgentID, w.Endpoint, w.Seq}
		if !seen[k] {
			seen[k] = true
			res.Windows = append(res.Windows, w)
		}
	case RecAgent:
		var a Agent
		if err := json.Unmarshal(line, &a); err != nil {
			return bad(err)
		}
		if i, ok := agents[a.ID]; ok {
			res.Agents[i] = a
		} else {
			agents[a.ID] = len(res.Agents)
			res.Agents = append(res.Agents, a)
		}
	case RecProbe:
		var p ProbeSample
		if err := json.Unmarshal(line, &p); err != nil {
			return bad(err)
		}
		res.Probes = append(res.Probes, p)
	case RecEvent:
		var e Event
		if err := json.Unmarshal(line, &e); err != nil {
			return bad(err)
		}
		res.Events = append(res.Events, e)
	case RecVerdict:
		var v Verdict
		if err := json.Unmarshal(line, &v); err != nil {
			return bad(err)
		}
		res.Verdicts = append(res.Verdicts, v)
	case RecEnd:
		var e End
		if err := json.Unmarshal(line, &e); err != nil {
			return bad(err)
		}
		res.End = &e
	}
	return nil
}

// ReadJSON reads a result.json and checks its schema.
func ReadJSON(r io.Reader) (*Result, error) {
	var res Result
	if err := json.NewDecoder(r).Decode(&res); err != nil {
		return nil, fmt.Errorf("not a faultline result.json: %w", err)
	}
	if res.Header.Schema != Schema {
		return nil, fmt.Errorf("%w %q: this faultline reads %q", ErrSchema, res.Header.Schema, Schema)
	}
	if res.Windows == nil {
		res.Windows = []Window{}
	}
	return &res, nil
}

// Load reads a result from a run directory (result.json when the run
// finished, else result.jsonl), a result.json, or a result.jsonl. Files
// ending in .jsonl are read as JSON lines, anything else as one document.
func Load(path string) (*Result, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("result %s: %w", path, err)
	}
	if st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, ResultName)); err == nil {
			return Load(filepath.Join(path, ResultName))
		}
		if _, err := os.Stat(filepath.Join(path, JSONLName)); err == nil {
			return Load(filepath.Join(path, JSONLName))
		}
		return nil, fmt.Errorf("result %s: directory holds neither %s nor %s", path, ResultName, JSONLName)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("result %s: %w", path, err)
	}
	defer f.Close()
	var res *Result
	if strings.HasSuffix(path, ".jsonl") {
		res, err = ReadJSONL(f)
	} else {
		res, err = ReadJSON(f)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}
