package gameday

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/robfig/cron/v3"
)

// RunFunc performs one run, writing its result into dir (which exists).
type RunFunc func(ctx context.Context, dir string) error

// Config describes a schedule.
type Config struct {
	// Spec is a standard 5-field cron spec ("0 10 * * MON") or a
	// descriptor ("@hourly", "@every 2s").
	Spec string
	// Archive is the directory that keeps one sub-directory per run.
	Archive string
	// Name prefixes each run directory (the scenario's name).
	Name string
	// Run performs one run.
	Run RunFunc
	// Logf reports each tick's outcome; nil is silent.
	Logf func(format string, args ...any)
}

// ErrLocked is returned by Tick when another run holds the archive's lock.
var ErrLocked = errors.New("another run holds the archive lock")

// Scheduler runs Config.Run on the schedule, never two at once.
type Scheduler struct {
	cfg   Config
	sched cron.Schedule
	mu    sync.Mutex // held for a whole run; TryLock skips overlapping ticks
}

// New validates cfg and creates the archive.
func New(cfg Config) (*Scheduler, error) {
	sched, err := cron.ParseStandard(cfg.Spec)
	if err != nil {
		return nil, fmt.Errorf("cron %q: %v; use 5 fields (minute hour day-of-month month day-of-week, e.g. \"0 10 * * MON\") or @every DURATION", cfg.Spec, err)
	}
	if cfg.Archive == "" || cfg.Run == nil {
		return nil, errors.New("gameday: an archive directory and a run function are required")
	}
	if cfg.Name == "" {
		cfg.Name = "run"
	}
	if err := os.MkdirAll(cfg.Archive, 0o755); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return &Scheduler{cfg: cfg, sched: sched}, nil
}

// Next is when the schedule fires next after t.
func (s *Scheduler) Next(t time.Time) time.Time { return s.sched.Next(t) }

// Run runs the schedule until ctx ends, then waits for a run in progress
// (which sees ctx cancelled) to finish.
func (s *Scheduler) Run(ctx context.Context) error {
	c := cron.New()
	c.Schedule(s.sched, cron.FuncJob(func() {
		dir, err := s.Tick(ctx)
		switch {
		case errors.Is(err, ErrLocked):
			s.cfg.Logf("skipped: %v", err)
		case err != nil:
			s.cfg.Logf("run %s: %v", dir, err)
		default:
			s.cfg.Logf("run %s finished", dir)
		}
	}))
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// Tick performs one run now unless one is going (in this process or,
// through the archive's flock, in another): then it returns ErrLocked at
// once. It returns the run directory.
func (s *Scheduler) Tick(ctx context.Context) (string, error) {
	if !s.mu.TryLock() {
		return "", fmt.Errorf("%w (a run started by this schedule is still going)", ErrLocked)
	}
	defer s.mu.Unlock()
	unlock, err := lockFile(filepath.Join(s.cfg.Archive, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	dir, err := s.newRunDir(time.Now())
	if err != nil {
		return "", err
	}
	return dir, s.cfg.Run(ctx, dir)
}

// newRunDir creates ARCHIVE/NAME-YYYYMMDD-HHMMSS, adding -2, -3... when
// two runs start within one second.
func (s *Scheduler) newRunDir(t time.Time) (string, error) {
	base := filepath.Join(s.cfg.Archive, s.cfg.Name+"-"+t.UTC().Format("20060102-150405"))
	dir := base
	for i := 2; ; i++ {
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) || i > 100 {
			return "", fmt.Errorf("run directory: %w", err)
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}

// lockFile takes an exclusive, non-blocking flock on path. The kernel drops
// it when the process dies, so a crashed run never wedges the schedule.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("archive lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s is held by another process)", ErrLocked, path)
		}
		return nil, fmt.Errorf("archive lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
