package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// File names inside a run directory.
const (
	JSONLName  = "result.jsonl"
	ResultName = "result.json"
)

// SyncInterval is how often a Writer fsyncs result.jsonl while records
// arrive: once a second, so that a machine crash loses at most a second.
const SyncInterval = time.Second

// Errors a Writer returns.
var (
	ErrClosed   = errors.New("result writer is closed")
	ErrNoHeader = errors.New("result writer: the header must be written first")
	ErrTwoHeads = errors.New("result writer: header already written")
)

// Writer appends records to a run directory's result.jsonl, one JSON
// line each, and writes result.json on Close. It is safe for concurrent
// use. Each record is written with a single write call, so a crashed
// process leaves at most one partial line, which ReadJSONL drops.
type Writer struct {
	dir string

	mu     sync.Mutex
	f      *os.File
	header bool
	dirty  bool
	closed bool
	err    error // first write or sync error; every later call returns it

	stop chan struct{}
	done chan struct{}
}

// NewWriter creates dir (if needed) and a new result.jsonl in it. It
// refuses a directory that already holds a result.jsonl, so that two runs
// never share one file.
func NewWriter(dir string) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	p := filepath.Join(dir, JSONLName)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%s already exists: each run needs its own directory", p)
		}
		return nil, fmt.Errorf("create result file: %w", err)
	}
	w := &Writer{dir: dir, f: f, stop: make(chan struct{}), done: make(chan struct{})}
	go w.syncLoop()
	return w, nil
}

// Dir is the run directory.
func (w *Writer) Dir() string { return w.dir }

// Header writes the header record. It must come first, exactly once. An
// empty Schema is filled in; another schema is refused.
func (w *Writer) Header(h Header) error {
	if h.Schema == "" {
		h.Schema = Schema
	}
	if h.Schema != Schema {
		return fmt.Errorf("result writer: schema %q, this writer writes %q", h.Schema, Schema)
	}
	return w.append(RecHeader, &h)
}

// Agent records an agent. A later record for the same agent id replaces
// the earlier one (for example with its lost time or a new share).
func (w *Writer) Agent(a Agent) error { return w.append(RecAgent, &a) }

// Window records one agent's window for one endpoint.
func (w *Writer) Window(win Window) error { return w.append(RecWindow, &win) }

// Probe records one consistency probe sample.
func (w *Writer) Probe(p ProbeSample) error { return w.append(RecProbe, &p) }

// Event records something that happened during the run.
func (w *Writer) Event(e Event) error { return w.append(RecEvent, &e) }

// Verdict records one judgement.
func (w *Writer) Verdict(v Verdict) error { return w.append(RecVerdict, &v) }

// append encodes one record as {"type":T, ...fields} and writes it.
func (w *Writer) append(t RecordType, v any) error {
	line, err := encodeRecord(t, v)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.closed:
		return ErrClosed
	case w.err != nil:
		return w.err
	case t == RecHeader && w.header:
		return ErrTwoHeads
	case t != RecHeader && !w.header:
		return ErrNoHeader
	}
	if _, err := w.f.Write(line); err != nil {
		w.err = fmt.Errorf("write %s: %w", w.f.Name(), err)
		return w.err
	}
	if t == RecHeader {
		w.header = true
	}
	w.dirty = true
	return nil
}

// syncLoop fsyncs the file once per SyncInterval when something was
// written since the last sync.
func (w *Writer) syncLoop() {
	defer close(w.done)
	t := time.NewTicker(SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.mu.Lock()
			if w.dirty && !w.closed && w.err == nil {
				if err := w.f.Sync(); err != nil {
					w.err = fmt.Errorf("sync %s: %w", w.f.Name(), err)
				}
				w.dirty = false
			}
			w.mu.Unlock()
		}
	}
}

// Close writes the end record, syncs and closes result.jsonl, then
// writes result.json, the whole Result rebuilt by re-reading the jsonl (so
// the writer never holds windows in memory).
func (w *Writer) Close(end End) error {
	if err := w.append(RecEnd, &end); err != nil {
		w.shutdown()
		return err
	}
	if err := w.shutdown(); err != nil {
		return err
	}
	res, err := Load(filepath.Join(w.dir, JSONLName))
	if err != nil {
		return fmt.Errorf("re-read result: %w", err)
	}
	return WriteJSON(filepath.Join(w.dir, ResultName), res)
}

// shutdown stops the sync loop, syncs and closes the file. It is
// idempotent.
func (w *Writer) shutdown() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("close %s: %w", w.f.Name(), err)
	}
	return nil
}

// WriteJSON writes res as indented JSON to path atomically (temporary file,
// fsync, rename).
func WriteJSON(path string, res *Result) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".result-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	enc := json.NewEncoder(tmp)
	enc.SetIndent("", "  ")
	err = enc.Encode(res)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
