package gameday

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A schedule of every 2 seconds whose runs take 3 s: runs happen (at
// least twice), never overlap, the ticks that fall inside a run are
// skipped, and each run keeps its own directory in the archive.
func TestScheduleEvery2sNoOverlap(t *testing.T) {
	archive := t.TempDir()
	var running, maxRunning, done atomic.Int32
	var mu sync.Mutex
	var logs []string
	twoRuns := make(chan struct{})
	s, err := New(Config{Spec: "@every 2s", Archive: archive, Name: "smoke",
		Run: func(ctx context.Context, dir string) error {
			n := running.Add(1)
			defer running.Add(-1)
			for {
				m := maxRunning.Load()
				if n <= m || maxRunning.CompareAndSwap(m, n) {
					break
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "result.jsonl"), []byte("{}\n"), 0o644); err != nil {
				return err
			}
			select {
			case <-time.After(3 * time.Second):
			case <-ctx.Done():
			}
			if done.Add(1) == 2 {
				close(twoRuns)
			}
			return nil
		},
		Logf: func(f string, a ...any) {
			mu.Lock()
			defer mu.Unlock()
			logs = append(logs, f)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { _ = s.Run(ctx); close(stopped) }()
	select {
	case <-twoRuns:
	case <-time.After(60 * time.Second): // 2 runs need ~8 s; generous under load
		t.Error("fewer than two runs in 60 s")
	}
	cancel()
	<-stopped
	if m := maxRunning.Load(); m != 1 {
		t.Errorf("%d runs at once, want 1", m)
	}
	mu.Lock()
	skipped := strings.Count(strings.Join(logs, "\n"), "skipped")
	mu.Unlock()
	if skipped == 0 {
		t.Error("no tick was skipped, though each run outlasts the period")
	}
	dirs, _ := filepath.Glob(filepath.Join(archive, "smoke-*"))
	if len(dirs) < 2 {
		t.Errorf("%d run directories in the archive, want >= 2", len(dirs))
	}
}

// Another process holding the archive's lock makes a tick skip at once.
func TestScheduleCrossProcessLock(t *testing.T) {
	archive := t.TempDir()
	ran := false
	s, err := New(Config{Spec: "@hourly", Archive: archive, Run: func(context.Context, string) error { ran = true; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := lockFile(filepath.Join(archive, ".lock")) // a second open file: a separate flock
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tick(context.Background()); !errors.Is(err, ErrLocked) || ran {
		t.Fatalf("tick under a held lock: %v, ran %v", err, ran)
	}
	unlock()
	if _, err := s.Tick(context.Background()); err != nil || !ran {
		t.Fatalf("tick after unlock: %v, ran %v", err, ran)
	}
}

func TestScheduleBadSpec(t *testing.T) {
	// Cases: not cron at all; six fields (seconds are not standard); an
	// unknown descriptor.
	for _, spec := range []string{"tuesday", "0 0 10 * * MON", "@fortnightly"} {
		_, err := New(Config{Spec: spec, Archive: t.TempDir(), Run: func(context.Context, string) error { return nil }})
		if err == nil || !strings.Contains(err.Error(), "use 5 fields") {
			t.Errorf("%q: %v", spec, err)
		}
	}
}
