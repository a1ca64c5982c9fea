package reports

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// jsonlOf writes res through a real Writer and returns result.jsonl.
func jsonlOf(t testing.TB, res *Result) []byte {
	t.Helper()
	dir := t.TempDir()
	if _, err := writeFixture(dir, res, true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, JSONLName))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// completeWindows counts window lines whose closing brace lies within the
// first n bytes: exactly the windows a reader must recover from a file
// cut at n.
func completeWindows(data []byte, n int) (windows int, headerDone bool) {
	off := 0
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		end := off + len(bytes.TrimRight(line, "\n"))
		off += len(line)
		if end > n || len(line) == 0 {
			break
		}
		if bytes.HasPrefix(line, []byte(`{"type":"header"`)) {
			headerDone = true
		}
		if bytes.HasPrefix(line, []byte(`{"type":"window"`)) {
			windows++
		}
	}
	return windows, headerDone
}

func checkCut(t *testing.T, data []byte, n int, render bool) {
	t.Helper()
	want, header := completeWindows(data, n)
	res, err := ReadJSONL(bytes.NewReader(data[:n]))
	if !header {
		if err == nil {
			t.Fatalf("cut at %d: no complete header, yet no error", n)
		}
		return
	}
	if err != nil {
		t.Fatalf("cut at %d: %v", n, err)
	}
	if len(res.Windows) != want {
		t.Fatalf("cut at %d: %d windows, want %d", n, len(res.Windows), want)
	}
	if n < len(data)-1 && !res.Truncated { // only the final newline missing is a whole file
		t.Fatalf("cut at %d of %d: not marked truncated", n, len(data))
	}
	if render {
		var out bytes.Buffer
		if err := WriteText(&out, res); err != nil {
			t.Fatalf("cut at %d: render: %v", n, err)
		}
		if want > 0 && !strings.Contains(out.String(), "browse") {
			t.Fatalf("cut at %d: report lacks the endpoint:\n%s", n, out.String())
		}
	}
}

// A small run, cut at every byte offset, always yields exactly its complete
// windows; every 200th cut is also rendered.
func TestReadJSONLCutAtEveryByte(t *testing.T) {
	data := jsonlOf(t, fixture(fixtureConfig{seed: 3, seconds: 4, agents: 1, endpoints: []string{"browse"}, rate: 20}))
	for n := 0; n <= len(data); n++ {
		checkCut(t, data, n, n%200 == 0)
	}
}

// A realistic run cut at 100 seeded random offsets, every 10th rendered.
func TestReadJSONLCutAtRandomBytes(t *testing.T) {
	data := jsonlOf(t, fixture(fixtureConfig{seed: 4, seconds: 30, agents: 2, endpoints: []string{"browse", "orders"}, rate: 100}))
	rng := rand.New(rand.NewPCG(4, 4))
	for i := 0; i < 100; i++ {
		checkCut(t, data, rng.IntN(len(data)+1), i%10 == 0)
	}
}

func TestReadJSONLCases(t *testing.T) {
	hdr := `{"type":"header","schema":"faultline.result/v1","run_id":"r","started":"2026-03-02T10:00:00Z"}` + "\n"
	win := func(agent string, seq int) string {
		return `{"type":"window","run_id":"r","agent":"` + agent + `","seq":` + string(rune('0'+seq)) + `,"endpoint":"e","requests":10,"good":9}` + "\n"
	}
	end := `{"type":"end","ended":"2026-03-02T10:01:00Z","exit_code":0}` + "\n"
	cases := []struct {
		name      string
		in        string
		windows   int
		truncated bool
		err       string
	}{
		// A complete run reads whole.
		{"complete", hdr + win("a", 1) + win("b", 1) + end, 2, false, ""},
		// An agent resent window 1 after a reconnect: counted once.
		{"duplicate window dropped", hdr + win("a", 1) + win("a", 1) + win("a", 2) + end, 2, false, ""},
		// No end record: the run crashed, but every window is kept.
		{"no end", hdr + win("a", 1), 1, true, ""},
		// Cut inside the last record.
		{"partial last line", hdr + win("a", 1) + win("a", 2)[:20], 1, true, ""},
		// A newer v1 writer's record type is skipped, not an error.
		{"unknown type skipped", hdr + `{"type":"sparkle","x":1}` + "\n" + win("a", 1) + end, 1, false, ""},
		// Blank lines are harmless.
		{"blank lines", hdr + "\n\n" + win("a", 1) + end, 1, false, ""},
		// Another schema is refused, naming both.
		{"other schema", strings.Replace(hdr, "v1", "v2", 1), 0, false, `unsupported result schema "faultline.result/v2": this faultline reads "faultline.result/v1"`},
		// Empty input has no header.
		{"empty", "", 0, false, "no complete header"},
		// A window before the header is not a result.jsonl.
		{"window first", win("a", 1) + hdr, 0, false, `line 1: a "window" record before the header`},
		// Garbage in the middle is corruption, not a cut: refuse, with the line.
		{"corrupt middle line", hdr + "{not json\n" + win("a", 1), 0, false, "result line 2: not a JSON record"},
		// Two runs in one file.
		{"two headers", hdr + hdr, 0, false, "line 2: a second header"},
		// A window whose fields have wrong types.
		{"bad window", hdr + `{"type":"window","seq":"x"}` + "\n" + end, 0, false, "line 2: bad window record"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := ReadJSONL(strings.NewReader(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want it to contain %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Windows) != c.windows || res.Truncated != c.truncated {
				t.Fatalf("windows %d truncated %v, want %d %v", len(res.Windows), res.Truncated, c.windows, c.truncated)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	// An empty directory names both files it looked for.
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "neither result.json nor result.jsonl") {
		t.Errorf("empty dir: %v", err)
	}
	// A missing path says so.
	if _, err := Load(filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	// A result.json of another schema is refused.
	p := filepath.Join(dir, "old.json")
	os.WriteFile(p, []byte(`{"header":{"schema":"faultline.result/v0"}}`), 0o644)
	if _, err := Load(p); !errors.Is(err, ErrSchema) {
		t.Errorf("v0 json: %v", err)
	}
}

func FuzzReadJSONL(f *testing.F) {
	f.Add(jsonlOf(f, fixture(fixtureConfig{seed: 5, seconds: 2, agents: 1, endpoints: []string{"browse"}, rate: 5})))
	f.Add([]byte(`{"type":"header","schema":"faultline.result/v1"}` + "\n" + `{"type":"window","latency":"HISTFAAAAA=="}`))
	f.Add([]byte(`{"type":"header","schema":"faultline.result/v1"}` + "\n" + `{"type":"agent","id":"a"}` + "\n" + `{"type":"agent","id":"a"}`))
	f.Add([]byte("{\"type\":\"end\"}\n"))
	f.Add([]byte("\x00\xff\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ReadJSONL(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Whatever parsed must render and summarise without panicking.
		var out bytes.Buffer
		_ = WriteText(&out, res)
		for _, ep := range res.Endpoints() {
			_ = res.Series(ep)
		}
	})
}
