package reports

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestTraceSeriesJSON: the compact form reads back to the same series,
// lists each bound once, and refuses a bucket that names no bound.
func TestTraceSeriesJSON(t *testing.T) {
	h := twHarvest(twKilled(false))
	b, err := json.Marshal(h.Series)
	if err != nil {
		t.Fatal(err)
	}
	var back []TraceSeries
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, h.Series) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, h.Series)
	}
	// catalog-1 uses both bounds, over 20 samples, each written once.
	whole, _ := json.Marshal(twHarvest(nil).Series)
	if n := strings.Count(string(whole), "40.96"); n != 1 || !strings.Contains(string(whole), `"bounds":[0.32,40.96]`) {
		t.Errorf("bound 40.96 written %d times in %s, want once, in the bounds", n, whole)
	}
	for _, bad := range []struct{ json, why string }{
		{`{"instance":"c","bounds":[0.32],"samples":[{"t":0,"d":{"e":{"l":{"bus":[1,5]}}}}]}`, "bound index 1 of 1"},
		{`{"instance":"c","bounds":[0.32],"samples":[{"t":0,"d":{"e":{"l":{"bus":[0]}}}}]}`, "odd number"},
	} {
		var s TraceSeries
		if err := json.Unmarshal([]byte(bad.json), &s); err == nil || !strings.Contains(err.Error(), bad.why) {
			t.Errorf("%s: %v, want an error with %q", bad.json, err, bad.why)
		}
	}
}

// FuzzTraceSeriesJSON: any input either fails to decode or decodes to a
// series that writes, reads back and writes again to the same bytes (an
// empty map and none write alike); it never panics.
func FuzzTraceSeriesJSON(f *testing.F) {
	b, _ := json.Marshal(twHarvest(nil).Series[1])
	f.Add(b)
	f.Add([]byte(`{"instance":"c","bounds":[0.32,1],"samples":[{"t":5,"d":{"e":{"r":3,"s":{"200":3},"l":{"bus":[1,5,0,2]}}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s TraceSeries
		if json.Unmarshal(data, &s) != nil {
			return
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("decoded %q but cannot write it: %v", data, err)
		}
		var back TraceSeries
		if err := json.Unmarshal(again, &back); err != nil {
			t.Fatalf("%q: written as %s, not read back: %v", data, again, err)
		}
		if third, _ := json.Marshal(back); string(third) != string(again) {
			t.Fatalf("%q: written as %s, then as %s", data, again, third)
		}
	})
}
