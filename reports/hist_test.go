package reports

import (
	"encoding/json"
	"testing"
	"time"
)

func TestHistJSONRoundTripAndMerge(t *testing.T) {
	a, b, all := NewHist(), NewHist(), NewHist()
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Millisecond
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
		all.Record(d)
	}
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back Hist
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	back.Merge(b)
	for _, q := range []float64{50, 90, 99, 99.9} {
		if got, want := back.Quantile(q), all.Quantile(q); got != want {
			t.Errorf("p%v: merged %v, single %v", q, got, want)
		}
	}
	if back.Count() != 1000 {
		t.Errorf("count %d, want 1000", back.Count())
	}
}
