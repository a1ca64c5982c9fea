package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// encodeRecord renders v (a JSON object) as one result.jsonl line with the
// record type first: {"type":"window",...}\n.
func encodeRecord(t RecordType, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s record: %w", t, err)
	}
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("encode %s record: not a JSON object", t)
	}
	var b bytes.Buffer
	b.Grow(len(body) + 24)
	b.WriteString(`{"type":`)
	tj, _ := json.Marshal(string(t))
	b.Write(tj)
	if len(body) > 2 {
		b.WriteByte(',')
	}
	b.Write(body[1:])
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// recordType reads only the "type" field of a line.
func recordType(line []byte) (RecordType, error) {
	var t struct {
		Type RecordType `json:"type"`
	}
	if err := json.Unmarshal(line, &t); err != nil {
		return "", err
	}
	return t.Type, nil
}
