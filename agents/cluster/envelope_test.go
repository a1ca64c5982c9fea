package cluster

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func testKey(t testing.TB, b byte) []byte {
	t.Helper()
	return bytes.Repeat([]byte{b}, 32)
}

func TestSealOpen(t *testing.T) {
	key, other := testKey(t, 1), testKey(t, 2)
	e := &Envelope{Kind: "share", RunID: "r1", From: "coord", To: "a1", Epoch: 7, Seq: 3, Sent: time.Unix(100, 0).UTC(), Body: []byte(`{"share":0.5}`)}
	b, err := Seal(key, e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(key, b)
	if err != nil {
		t.Fatalf("open with the right key: %v", err)
	}
	if got.Kind != e.Kind || got.RunID != e.RunID || got.Seq != e.Seq || got.Epoch != e.Epoch || !got.Sent.Equal(e.Sent) || string(got.Body) != string(e.Body) {
		t.Fatalf("round trip changed the envelope: %+v", got)
	}
	cases := []struct {
		name string
		key  []byte
		mut  func([]byte) []byte
		want error
	}{
		// A node with another key cannot produce or read a valid MAC.
		{"wrong key", other, func(b []byte) []byte { return b }, ErrForged},
		// One flipped bit in the body (say, a share of 0.5 made 0.9).
		{"tampered body", key, func(b []byte) []byte { c := bytes.Clone(b); c[len(c)-3] ^= 1; return c }, ErrForged},
		// A flipped MAC bit.
		{"tampered mac", key, func(b []byte) []byte { c := bytes.Clone(b); c[5] ^= 1; return c }, ErrForged},
		// Too short to hold a header.
		{"truncated", key, func(b []byte) []byte { return b[:10] }, ErrMalformed},
		// Unknown wire version.
		{"bad version", key, func(b []byte) []byte { c := bytes.Clone(b); c[0] = 0; return c }, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Open(c.key, c.mut(b)); !errors.Is(err, c.want) {
				t.Fatalf("Open = %v, want %v", err, c.want)
			}
		})
	}
}

func TestOpenRejectsValidMACOverGarbage(t *testing.T) {
	key := testKey(t, 1)
	// A correctly authenticated but empty envelope still has no kind.
	b, _ := Seal(key, &Envelope{})
	if _, err := Open(key, b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Open = %v, want ErrMalformed", err)
	}
}

func FuzzOpen(f *testing.F) {
	key := bytes.Repeat([]byte{1}, 32)
	good, _ := Seal(key, &Envelope{Kind: "hb", From: "c", To: "a", Seq: 1, Sent: time.Unix(1, 0)})
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{wireVersion})
	f.Add(append([]byte{wireVersion}, make([]byte, 40)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Open(key, b)
		if err == nil && (e.Kind == "" || e.From == "") {
			t.Fatalf("accepted an envelope without kind or sender: %+v", e)
		}
	})
}
