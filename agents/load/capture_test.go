package load

import "testing"

func TestExtract(t *testing.T) {
	body := []byte(`{"id":"o-1","n":12345678901234567,"ok":true,"order":{"id":7,"items":[{"sku":"a"},{"sku":"b"}]},"nul":null}`)
	cases := []struct {
		path, want string
		ok         bool
	}{
		{"id", "o-1", true},              // a top-level string
		{"n", "12345678901234567", true}, // a big number keeps its digits
		{"ok", "true", true},             // a bool
		{"order.id", "7", true},          // a nested field
		{"order.items.1.sku", "b", true}, // an array index
		{"order.items.2.sku", "", false}, // index out of range
		{"order.items.x", "", false},     // not an index
		{"order", "", false},             // an object is not a value
		{"nul", "", false},               // null is no value
		{"missing", "", false},           // absent
		{"id.deeper", "", false},         // below a string
	}
	for _, c := range cases {
		got := extract(body, map[string]string{"v": c.path})
		v, ok := got["v"]
		if ok != c.ok || v != c.want {
			t.Errorf("%s: got %q %v, want %q %v", c.path, v, ok, c.want, c.ok)
		}
	}
	if got := extract([]byte("not json"), map[string]string{"v": "id"}); len(got) != 0 {
		t.Errorf("non-JSON body captured %v", got)
	}
}

// The ring keeps the most recent values only.
func TestCaptureRing(t *testing.T) {
	s := newCaptureStore(map[string]map[string]string{"e": {"id": "id"}})
	if _, ok := s.pick("e", "id", 0); ok {
		t.Fatal("a value before any was added")
	}
	for i := 0; i < captureRing+10; i++ {
		s.add("e", "id", string(rune('a'+i%26))+string(rune('0'+i/26%10)))
	}
	seen := map[string]bool{}
	for u := uint64(0); u < 10*captureRing; u++ {
		v, _ := s.pick("e", "id", u)
		seen[v] = true
	}
	if len(seen) != captureRing {
		t.Errorf("%d distinct values picked, want the ring's %d", len(seen), captureRing)
	}
	s.add("other", "id", "x") // undeclared: ignored, no panic
}

// FuzzExtract: any body and path, no panic.
func FuzzExtract(f *testing.F) {
	f.Add([]byte(`{"a":{"b":[1,"x"]}}`), "a.b.1")
	f.Add([]byte(`[`), "0")
	f.Add([]byte(`{"":1}`), "")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		_ = extract(body, map[string]string{"v": path})
	})
}

// FuzzParseHit: the internal header never panics or yields an out-of-range
// endpoint.
func FuzzParseHit(f *testing.F) {
	f.Add("0;123")
	f.Add("9;-1")
	f.Add(";;")
	f.Fuzz(func(t *testing.T, v string) {
		if idx, _ := parseHit(v, 3); idx < 0 || idx >= 3 {
			t.Fatalf("index %d", idx)
		}
	})
}
