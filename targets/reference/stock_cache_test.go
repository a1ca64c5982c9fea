package reference

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestStockCacheKeepsNewestRevision(t *testing.T) {
	type op struct {
		forget bool
		e      stockEntry
	}
	for _, tc := range []struct {
		name string
		ops  []op
		want stockEntry
		ok   bool
	}{
		{"first put is kept", []op{{e: stockEntry{10, 3}}}, stockEntry{10, 3}, true},
		{"newer revision replaces", []op{{e: stockEntry{10, 3}}, {e: stockEntry{9, 4}}}, stockEntry{9, 4}, true},
		// The watcher delivers revision 4 after this instance's own write
		// stored revision 5: the watcher must not roll it back.
		{"older revision is ignored", []op{{e: stockEntry{8, 5}}, {e: stockEntry{9, 4}}}, stockEntry{8, 5}, true},
		{"same revision is ignored", []op{{e: stockEntry{8, 5}}, {e: stockEntry{1, 5}}}, stockEntry{8, 5}, true},
		{"delete at a newer revision forgets", []op{{e: stockEntry{8, 5}}, {forget: true, e: stockEntry{0, 6}}}, stockEntry{}, false},
		{"delete at an older revision is ignored", []op{{e: stockEntry{8, 5}}, {forget: true, e: stockEntry{0, 4}}}, stockEntry{8, 5}, true},
		{"put after a delete is kept", []op{{e: stockEntry{8, 5}}, {forget: true, e: stockEntry{0, 6}}, {e: stockEntry{7, 7}}}, stockEntry{7, 7}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newStockCache()
			for _, o := range tc.ops {
				if o.forget {
					c.forget("item-1", o.e.rev)
				} else {
					c.put("item-1", o.e)
				}
			}
			got, ok := c.get("item-1")
			if got != tc.want || ok != tc.ok {
				t.Errorf("get = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestKeyLocksSerialisePerKey(t *testing.T) {
	l := newKeyLocks()
	unlock, err := l.lock(context.Background(), "item-1")
	if err != nil {
		t.Fatal(err)
	}
	// A second lock of the same key waits until ctx ends.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := l.lock(ctx, "item-1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock of a held key: %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("second lock gave up after %s, want it to wait for ctx (50ms)", d)
	}
	// Unlocked, it is free again at once.
	unlock()
	unlock2, err := l.lock(context.Background(), "item-1")
	if err != nil {
		t.Fatal(err)
	}
	unlock2()
}
