package reports

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := fixture(fixtureConfig{seed: 1, seconds: 30, agents: 2, endpoints: []string{"browse", "orders"}, rate: 100})
	if _, err := writeFixture(dir, want, true); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, filepath.Join(dir, ResultName), filepath.Join(dir, JSONLName)} {
		got, err := Load(p)
		if err != nil {
			t.Fatalf("Load(%s): %v", p, err)
		}
		if got.Truncated {
			t.Errorf("%s: closed run reads as truncated", p)
		}
		if len(got.Windows) != len(want.Windows) || len(got.Events) != 2 || len(got.Verdicts) != 2 ||
			len(got.Probes) != 5 || len(got.Agents) != 2 || got.End == nil || got.End.ExitCode != 1 {
			t.Fatalf("%s: got %d windows %d events %d verdicts %d probes %d agents end %v",
				p, len(got.Windows), len(got.Events), len(got.Verdicts), len(got.Probes), len(got.Agents), got.End)
		}
		for i := range want.Windows {
			w, g := want.Windows[i], got.Windows[i]
			if g.Requests != w.Requests || g.Good != w.Good || g.Latency.Quantile(99) != w.Latency.Quantile(99) || !g.Start.Equal(w.Start) {
				t.Fatalf("%s window %d differs: %+v vs %+v", p, i, g, w)
			}
		}
	}
}

// A run that never closes (the process crashed) still reads back, marked
// truncated, because each record is written whole as it arrives.
func TestWriterCrashLeavesReadableFile(t *testing.T) {
	dir := t.TempDir()
	res := fixture(fixtureConfig{seed: 2, seconds: 5, agents: 1, endpoints: []string{"browse"}, rate: 10})
	w, err := writeFixture(dir, res, false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.shutdown()
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Truncated || len(got.Windows) != 5 {
		t.Fatalf("truncated=%v windows=%d, want true and 5", got.Truncated, len(got.Windows))
	}
	if _, err := os.Stat(filepath.Join(dir, ResultName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("result.json exists before Close: %v", err)
	}
}

func TestWriterConcurrent(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Header(Header{RunID: "r", Started: fixtureStart}); err != nil {
		t.Fatal(err)
	}
	const agents, per = 8, 200
	var wg sync.WaitGroup
	for a := 0; a < agents; a++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := 0; s < per; s++ {
				// No histogram: encoding one costs ~1 ms, and this test is
				// about whole lines under concurrency.
				if err := w.Window(Window{RunID: "r", AgentID: agentName(a), Seq: uint64(s), Endpoint: "e",
					Start: fixtureStart.Add(time.Duration(s) * time.Second), Requests: 1, Good: 1}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(End{Ended: fixtureStart}); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Windows) != agents*per {
		t.Fatalf("%d windows, want %d (interleaved lines?)", len(got.Windows), agents*per)
	}
}

func TestWriterRefuses(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A window before the header would make an unreadable file.
	if err := w.Window(Window{}); !errors.Is(err, ErrNoHeader) {
		t.Errorf("window before header: %v, want ErrNoHeader", err)
	}
	// Another schema is refused at the source.
	if err := w.Header(Header{Schema: "faultline.result/v0"}); err == nil {
		t.Error("header with schema v0 accepted")
	}
	if err := w.Header(Header{RunID: "r"}); err != nil {
		t.Fatal(err)
	}
	// One run, one header.
	if err := w.Header(Header{RunID: "r"}); !errors.Is(err, ErrTwoHeads) {
		t.Errorf("second header: %v, want ErrTwoHeads", err)
	}
	// A second writer on the same directory would mix two runs.
	if _, err := NewWriter(dir); err == nil {
		t.Error("second writer on the same directory accepted")
	}
	if err := w.Close(End{}); err != nil {
		t.Fatal(err)
	}
	if err := w.Event(Event{}); !errors.Is(err, ErrClosed) {
		t.Errorf("event after close: %v, want ErrClosed", err)
	}
}

// The file is synced in the background; after SyncInterval the writer has
// nothing dirty left. (fsync itself is not observable without a crash; this
// checks that the loop runs.)
func TestWriterSyncLoop(t *testing.T) {
	w, err := NewWriter(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(End{})
	if err := w.Header(Header{RunID: "r"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * SyncInterval)
	for {
		w.mu.Lock()
		dirty := w.dirty
		w.mu.Unlock()
		if !dirty {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("writer still dirty after 20 sync intervals")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
