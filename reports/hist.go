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
type Hist struct {
	H *hdr.Histogram
}

// NewHist returns an empty histogram with the shared bounds.
func NewHist() *Hist {
	return &Hist{H: hdr.New(HistMin, HistMax, HistDigits)}
}

// Record adds one latency. Values outside the bounds are clamped, so that a
// 90 s timeout still counts (as 60 s) rather than vanishing.
func (h *Hist) Record(d time.Duration) {
	us := int64(d / time.Microsecond)
	if us < HistMin {
		us = HistMin
	}
	if us > HistMax {
		us = HistMax
	}
	_ = h.H.RecordValue(us)
}

// Merge adds o's counts into h.
func (h *Hist) Merge(o *Hist) {
	if o == nil || o.H == nil {
		return
	}
	h.H.Merge(o.H)
}

// Count is the number of recorded values.
func (h *Hist) Count() int64 {
	if h == nil || h.H == nil {
		return 0
	}
	return h.H.TotalCount()
}

// Quantile returns the value at percentile q (0..100) as a duration.
func (h *Hist) Quantile(q float64) time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.H.ValueAtQuantile(q)) * time.Microsecond
}

// Max returns the largest recorded value, at histogram precision.
func (h *Hist) Max() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.H.Max()) * time.Microsecond
}

// MarshalJSON encodes the histogram as a base64 V2 compressed string.
func (h *Hist) MarshalJSON() ([]byte, error) {
	if h == nil || h.H == nil {
		return []byte("null"), nil
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
	d, err := hdr.Decode([]byte(s))
	if err != nil {
		return fmt.Errorf("decode histogram: %w", err)
	}
	h.H = d
	return nil
}
