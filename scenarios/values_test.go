package scenarios

import (
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	cases := []struct {
		in   string
		perS float64 // want events per second; -1 means an error
	}{
		{"300/s", 300},       // plain per second
		{"5k/s", 5000},       // k multiplies by a thousand
		{"1.5k/s", 1500},     // decimals before the multiplier
		{"20/m", 20.0 / 60},  // per minute
		{"2M/h", 2e6 / 3600}, // M and per hour
		{"0/s", 0},           // zero is a rate (a ramp may start there)
		{"300", -1},          // no period
		{"300/sec", -1},      // periods are s, m or h
		{"-5/s", -1},         // no sign
		{"1e3/s", -1},        // no exponent
		{"/s", -1},           // no number
		{".5/s", -1},         // a point needs digits on both sides
		{"NaN/s", -1},        // strconv would accept it; we do not
		{"2000000k/s", -1},   // above a billion per second
	}
	for _, c := range cases {
		r, err := ParseRate(c.in)
		if c.perS < 0 {
			if err == nil {
				t.Errorf("ParseRate(%q) = %v, want an error", c.in, r)
			}
			continue
		}
		if err != nil || r.PerSecond() != c.perS {
			t.Errorf("ParseRate(%q) = %v/s, %v; want %v/s", c.in, r.PerSecond(), err, c.perS)
		}
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration // -1 means an error
	}{
		{"250ms", 250 * time.Millisecond}, // Go syntax
		{"1m30s", 90 * time.Second},       // compound
		{"0", 0},                          // zero needs no unit
		{"10", -1},                        // any other bare number does
		{"-5s", -1},                       // negative
		{"+5s", -1},                       // signed
		{"5 s", -1},                       // space
		{"10 seconds", -1},                // English
		{"", -1},                          // empty
	}
	for _, c := range cases {
		d, err := ParseDuration(c.in)
		if c.want < 0 {
			if err == nil {
				t.Errorf("ParseDuration(%q) = %v, want an error", c.in, d)
			}
			continue
		}
		if err != nil || d != c.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", c.in, d, err, c.want)
		}
	}
}

func TestParsePercent(t *testing.T) {
	cases := []struct {
		in   string
		want float64 // -1 means an error
	}{
		{"99.9%", 0.999}, // the usual SLO
		{"100%", 1},      // the top
		{"0%", 0},        // the bottom
		{"34%", 0.34},    // blast radius bound
		{"99.9", -1},     // no % sign: never read as 9990%
		{"101%", -1},     // above 100
		{"-1%", -1},      // negative
		{"%", -1},        // no number
	}
	for _, c := range cases {
		v, err := ParsePercent(c.in)
		if c.want < 0 {
			if err == nil {
				t.Errorf("ParsePercent(%q) = %v, want an error", c.in, v)
			}
			continue
		}
		if err != nil || v < c.want-1e-12 || v > c.want+1e-12 {
			t.Errorf("ParsePercent(%q) = %v, %v; want %v", c.in, v, err, c.want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	cases := []struct {
		in   string
		want int64 // -1 means an error
	}{
		{"64KiB", 64 << 10},       // binary
		{"1MB", 1000000},          // decimal
		{"512B", 512},             // plain bytes
		{"2GiB", 2 << 30},         // large binary
		{"1.5MB", -1},             // whole numbers only
		{"64", -1},                // unit required
		{"KiB", -1},               // number required
		{"-1KB", -1},              // negative
		{"99999999999999GiB", -1}, // overflows int64
	}
	for _, c := range cases {
		v, err := ParseBytes(c.in)
		if c.want < 0 {
			if err == nil {
				t.Errorf("ParseBytes(%q) = %v, want an error", c.in, v)
			}
			continue
		}
		if err != nil || v != c.want {
			t.Errorf("ParseBytes(%q) = %v, %v; want %v", c.in, v, err, c.want)
		}
	}
}

func TestParsePick(t *testing.T) {
	cases := []struct {
		in   string
		want Pick
		ok   bool
	}{
		{"all", Pick{Mode: PickAll}, true},                           // every match
		{"count(2)", Pick{Mode: PickCount, N: 2}, true},              // two of them
		{"percent(50)", Pick{Mode: PickPercent, Percent: 50}, true},  // half
		{"percent(50%)", Pick{Mode: PickPercent, Percent: 50}, true}, // % allowed
		{"count(0)", Pick{}, false},                                  // nothing
		{"percent(0)", Pick{}, false},                                // nothing
		{"percent(101)", Pick{}, false},                              // more than all
		{"some", Pick{}, false},                                      // unknown
		{"count(1", Pick{}, false},                                   // unclosed
	}
	for _, c := range cases {
		p, err := ParsePick(c.in)
		if (err == nil) != c.ok || (c.ok && p != c.want) {
			t.Errorf("ParsePick(%q) = %+v, %v", c.in, p, err)
		}
		if c.ok && p.String() != c.in && c.in != "percent(50%)" {
			t.Errorf("Pick(%q).String() = %q", c.in, p.String())
		}
	}
}

// A bound written as a percentage equals the ratio a judge measures from
// counts, so 999 good of 1000 meets ">= 99.9%" exactly.
func TestParsePercentExact(t *testing.T) {
	cases := []struct {
		in         string
		good, sent float64
	}{
		{"99.9%", 999, 1000}, // the classic three nines
		{"99.99%", 9999, 10000},
		{"90%", 9, 10},
		{"33.3%", 333, 1000},
		{"0.1%", 1, 1000},
	}
	for _, c := range cases {
		v, err := ParsePercent(c.in)
		if err != nil || v != c.good/c.sent {
			t.Errorf("ParsePercent(%q) = %v (%v), measured ratio %v", c.in, v, err, c.good/c.sent)
		}
	}
}
