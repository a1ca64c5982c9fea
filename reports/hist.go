package reports

import (
	"encoding/json"
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds shared by every producer, so that any two windows merge
// exactly: 1 µs to 60 s at 3 significant digits, values in microseconds.
const (
	HistMin    = 1
	HistMax    = int64(60 * time.Second / time.Microsecond)
	HistDigits = 3
)

// Hist is an HDR histogram of latencies in microseconds. In JSON it is the
// standard compressed HdrHistogram V2 encoding (base64), so that other HDR
// tools can read it too.
//
// A decoded HDR histogram with the shared bounds takes about 140 KB, its
// encoding a few hundred bytes. A Hist read from JSON therefore keeps only
// the encoding and decodes it when read (Quantile, Count, Merge into
// another) without caching; a long run's Result stays small. It is decoded
// for good on the first change (Record, Merge into it).
type Hist struct {
	// H is the decoded histogram. It is nil for a Hist read from JSON and
	// not changed since; use Snapshot to read it in every case.
	H *hdr.Histogram
	// raw is the base64 V2 encoding and packed its sparse decoding, kept
	// while H is nil: reads and merges use packed, writes use raw.
	raw    []byte
	packed *hdr.PackedHistogram
}

// NewHist returns an empty histogram with the shared bounds.
func NewHist() *Hist {
	return &Hist{H: hdr.New(HistMin, HistMax, HistDigits)}
}

// Record adds one latency. Values outside the bounds are clamped, so that a
// 90 s timeout still counts (as 60 s) rather than vanishing.
func (h *Hist) Record(d time.Duration) {
	h.materialize()
	us := int64(d / time.Microsecond)
	if us < HistMin {
		us = HistMin
	}
	if us > HistMax {
		us = HistMax
	}
	_ = h.H.RecordValue(us)
}

// Snapshot returns the decoded histogram, or nil for a nil or undecodable
// Hist. Do not change it: for a Hist read from JSON it is a fresh copy, so
// a change would be lost.
func (h *Hist) Snapshot() *hdr.Histogram {
	if h == nil {
		return nil
	}
	if h.H != nil {
		return h.H
	}
	if h.packed == nil {
		return nil
	}
	d := hdr.New(HistMin, HistMax, HistDigits)
	h.packed.MergeInto(d)
	return d
}

// materialize decodes h for good before a change.
func (h *Hist) materialize() {
	if h.H != nil {
		return
	}
	if d := h.Snapshot(); d != nil {
		h.H = d
	} else {
		h.H = hdr.New(HistMin, HistMax, HistDigits)
	}
	h.raw, h.packed = nil, nil
}

// Merge adds o's counts into h.
func (h *Hist) Merge(o *Hist) {
	if o != nil && o.H == nil && o.packed != nil {
		h.materialize()
		o.packed.MergeInto(h.H) // sparse: work per populated bucket
		return
	}
	src := o.Snapshot()
	if src == nil {
		return
	}
	h.materialize()
	h.H.Merge(src)
}

// Count is the number of recorded values.
func (h *Hist) Count() int64 {
	if h != nil && h.H == nil && h.packed != nil {
		return h.packed.TotalCount()
	}
	s := h.Snapshot()
	if s == nil {
		return 0
	}
	return s.TotalCount()
}

// Quantile returns the value at percentile q (0..100) as a duration.
func (h *Hist) Quantile(q float64) time.Duration {
	if h != nil && h.H == nil && h.packed != nil {
		if h.packed.TotalCount() == 0 {
			return 0
		}
		return time.Duration(h.packed.ValueAtPercentile(q)) * time.Microsecond
	}
	s := h.Snapshot()
	if s == nil || s.TotalCount() == 0 {
		return 0
	}
	return time.Duration(s.ValueAtQuantile(q)) * time.Microsecond
}

// Max returns the largest recorded value, at histogram precision.
func (h *Hist) Max() time.Duration {
	if h != nil && h.H == nil && h.packed != nil {
		if h.packed.TotalCount() == 0 {
			return 0
		}
		return time.Duration(h.packed.Max()) * time.Microsecond
	}
	s := h.Snapshot()
	if s == nil || s.TotalCount() == 0 {
		return 0
	}
	return time.Duration(s.Max()) * time.Microsecond
}

// MarshalJSON encodes the histogram as a base64 V2 compressed string.
func (h *Hist) MarshalJSON() ([]byte, error) {
	if h == nil || (h.H == nil && h.packed == nil) {
		return []byte("null"), nil
	}
	if h.H == nil {
		return json.Marshal(string(h.raw))
	}
	b, err := h.H.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, fmt.Errorf("encode histogram: %w", err)
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (h *Hist) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	// The sparse decoder bounds every allocation by the header's geometry
	// and never builds the dense array, so a hostile file costs little.
	d, err := hdr.DecodePacked([]byte(s))
	if err != nil {
		return fmt.Errorf("decode histogram: %w", err)
	}
	// Only the shared bounds merge exactly with other windows.
	if d.LowestTrackableValue() != HistMin || d.HighestTrackableValue() != HistMax || d.SignificantFigures() != HistDigits {
		return fmt.Errorf("histogram bounds %d..%d at %d digits, faultline uses %d..%d at %d",
			d.LowestTrackableValue(), d.HighestTrackableValue(), d.SignificantFigures(), HistMin, HistMax, HistDigits)
	}
	h.H, h.raw, h.packed = nil, []byte(s), d
	return nil
}

// histSum merges many histograms fast. hdr's Merge walks every recorded
// value through an iterator; two histograms with the shared bounds have the
// same counts layout, so adding their count arrays gives the same result
// at a fraction of the cost (the merge dominated report and compare
// times). Histograms of other bounds fall back to Merge.
type histSum struct {
	counts []int64
	other  *Hist
	sparse *Hist // sums the histograms read from JSON, merged sparsely
}

// add merges h into the sum.
func (s *histSum) add(h *Hist) {
	if h != nil && h.H == nil && h.packed != nil {
		if s.sparse == nil {
			s.sparse = NewHist()
		}
		s.sparse.Merge(h)
		return
	}
	src := h.Snapshot()
	if src == nil {
		return
	}
	if src.LowestTrackableValue() == HistMin && src.HighestTrackableValue() == HistMax && src.SignificantFigures() == HistDigits {
		snap := src.Export()
		switch {
		case s.counts == nil:
			s.counts = snap.Counts
			return
		case len(snap.Counts) == len(s.counts):
			for i, c := range snap.Counts {
				s.counts[i] += c
			}
			return
		}
	}
	if s.other == nil {
		s.other = NewHist()
	}
	s.other.Merge(&Hist{H: src})
}

// reset empties the sum, keeping its buffer.
func (s *histSum) reset() {
	clear(s.counts)
	s.other = nil
	if s.sparse != nil {
		s.sparse.H.Reset()
	}
}

// hist returns the sum as a new Hist.
func (s *histSum) hist() *Hist {
	out := NewHist()
	if s.counts != nil {
		out.H = hdr.Import(&hdr.Snapshot{LowestTrackableValue: HistMin, HighestTrackableValue: HistMax,
			SignificantFigures: HistDigits, Counts: s.counts, IntegerToDoubleConversionRatio: 1})
	}
	if s.other != nil {
		out.Merge(s.other)
	}
	if s.sparse != nil && s.sparse.H.TotalCount() > 0 {
		if s.counts == nil && s.other == nil {
			return &Hist{H: s.sparse.H.Clone()} // the usual case: nothing to add
		}
		out.Merge(s.sparse)
	}
	return out
}

// view is hist without the copy, valid only until the next add or reset:
// for reading quantiles of one slot.
func (s *histSum) view() *Hist {
	if s.counts == nil && s.other == nil && s.sparse != nil {
		return s.sparse
	}
	return s.hist()
}
