package scenarios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Allowed forms, quoted in error messages.
const (
	allowedRate     = "a number with optional k or M, then /s, /m or /h, e.g. 300/s, 5k/s, 1.5k/s, 20/m"
	allowedDuration = "a Go duration such as 250ms, 5s, 1m30s, 2h (units ns, us, ms, s, m, h)"
	allowedPercent  = "a number from 0 to 100 followed by %, e.g. 99.9%"
	allowedBytes    = "a whole number of bytes with a unit B, KB, MB, GB, KiB, MiB or GiB, e.g. 64KiB, 1MB"
	allowedPick     = "all, count(n) with n >= 1, or percent(p) with 0 < p <= 100"
)

// maxRate bounds parsed rates: beyond a billion per second is a typo, and
// the bound keeps later arithmetic finite.
const maxRate = 1e9

// ParseRate parses a rate such as 300/s, 5k/s, 1.5k/s, 2M/h or 20/m. The
// number may not be negative; zero is allowed (for example a ramp's start).
func ParseRate(s string) (Rate, error) {
	num, unit, ok := strings.Cut(s, "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q has no period", s)
	}
	var per time.Duration
	switch unit {
	case "s":
		per = time.Second
	case "m":
		per = time.Minute
	case "h":
		per = time.Hour
	default:
		return Rate{}, fmt.Errorf("rate %q has an unknown period %q", s, unit)
	}
	mult := 1.0
	switch {
	case strings.HasSuffix(num, "k"):
		mult, num = 1e3, num[:len(num)-1]
	case strings.HasSuffix(num, "M"):
		mult, num = 1e6, num[:len(num)-1]
	}
	f, err := parseDecimal(num)
	if err != nil {
		return Rate{}, fmt.Errorf("rate %q: %w", s, err)
	}
	f *= mult
	if f > maxRate {
		return Rate{}, fmt.Errorf("rate %q is above %g per period", s, float64(maxRate))
	}
	return Rate{Freq: f, Per: per}, nil
}

// parseDecimal accepts only plain decimals: digits with at most one point,
// no sign, exponent, hex, underscores, Inf or NaN (strconv accepts those).
func parseDecimal(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("missing number")
	}
	dot := false
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return 0, fmt.Errorf("%q is not a plain decimal number", s)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a usable number", s)
	}
	return f, nil
}

// ParseDuration parses a Go duration (250ms, 5s, 1m30s). Unlike
// time.ParseDuration it refuses negative values and a bare number without a
// unit, except "0".
func ParseDuration(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if s == "" || s[0] == '-' || s[0] == '+' {
		return 0, fmt.Errorf("duration %q must be a positive Go duration", s)
	}
	last := s[len(s)-1]
	if last >= '0' && last <= '9' || last == '.' {
		return 0, fmt.Errorf("duration %q has no unit", s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q is not a Go duration", s)
	}
	return d, nil
}

// ParsePercent parses 99.9% into the ratio 0.999. The number must be within
// 0..100 and the % sign is required, so that 99.9 is never read as 9990%.
func ParsePercent(s string) (float64, error) {
	num, ok := strings.CutSuffix(s, "%")
	if !ok {
		return 0, fmt.Errorf("percentage %q has no %% sign", s)
	}
	f, err := parseDecimal(num)
	if err != nil {
		return 0, fmt.Errorf("percentage %q: %w", s, err)
	}
	if f > 100 {
		return 0, fmt.Errorf("percentage %q is above 100%%", s)
	}
	// Shift the decimal point in the text rather than divide by 100, so
	// that 99.9% is the double nearest 0.999 (99.9/100 is not), and a
	// measured 999/1000 compares equal to it.
	return strconv.ParseFloat(shiftLeft2(num), 64)
}

// shiftLeft2 moves the decimal point of a plain decimal two places left:
// "99.9" -> "0.999", "5" -> "0.05", "100" -> "1.00".
func shiftLeft2(num string) string {
	intPart, frac, _ := strings.Cut(num, ".")
	for len(intPart) < 3 {
		intPart = "0" + intPart
	}
	return intPart[:len(intPart)-2] + "." + intPart[len(intPart)-2:] + frac
}

// byteUnits maps unit suffixes to multipliers, longest first so that KiB
// is tried before B.
var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
	{"B", 1},
}

// ParseBytes parses a byte size such as 512B, 64KiB or 1MB into bytes. The
// number must be a whole number and the unit is required.
func ParseBytes(s string) (int64, error) {
	for _, u := range byteUnits {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		if num == "" {
			break
		}
		n, err := strconv.ParseUint(num, 10, 63)
		if err != nil || num[0] == '+' {
			return 0, fmt.Errorf("byte size %q needs a whole number before %s", s, u.suffix)
		}
		if n > math.MaxInt64/uint64(u.mult) {
			return 0, fmt.Errorf("byte size %q is too large", s)
		}
		return int64(n) * u.mult, nil
	}
	return 0, fmt.Errorf("byte size %q has no unit", s)
}

// ParseByteRate parses a bandwidth such as 64KiB/s into bytes per second.
func ParseByteRate(s string) (int64, error) {
	num, ok := strings.CutSuffix(s, "/s")
	if !ok {
		return 0, fmt.Errorf("bandwidth %q must end in /s", s)
	}
	return ParseBytes(num)
}

// ParsePick parses a selector's pick: all, count(n) or percent(p).
func ParsePick(s string) (Pick, error) {
	if s == "all" {
		return Pick{Mode: PickAll}, nil
	}
	name, rest, ok := strings.Cut(s, "(")
	arg, closed := strings.CutSuffix(rest, ")")
	if !ok || !closed {
		return Pick{}, fmt.Errorf("pick %q is not all, count(n) or percent(p)", s)
	}
	switch name {
	case "count":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || arg[0] == '+' {
			return Pick{}, fmt.Errorf("pick %q needs a whole count of at least 1", s)
		}
		return Pick{Mode: PickCount, N: n}, nil
	case "percent":
		f, err := parseDecimal(strings.TrimSuffix(arg, "%"))
		if err != nil || f <= 0 || f > 100 {
			return Pick{}, fmt.Errorf("pick %q needs a percentage above 0 and at most 100", s)
		}
		return Pick{Mode: PickPercent, Percent: f}, nil
	}
	return Pick{}, fmt.Errorf("pick %q is not all, count(n) or percent(p)", s)
}

// String renders a pick the way ParsePick reads it.
func (p Pick) String() string {
	switch p.Mode {
	case PickCount:
		return fmt.Sprintf("count(%d)", p.N)
	case PickPercent:
		return "percent(" + strconv.FormatFloat(p.Percent, 'f', -1, 64) + ")"
	}
	return "all"
}

// String renders a rate the way ParseRate reads it.
func (r Rate) String() string {
	unit := "s"
	switch r.Per {
	case time.Minute:
		unit = "m"
	case time.Hour:
		unit = "h"
	}
	return strconv.FormatFloat(r.Freq, 'f', -1, 64) + "/" + unit
}

// Duration is time.Duration, named here for brevity in signatures.
type Duration = time.Duration

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
