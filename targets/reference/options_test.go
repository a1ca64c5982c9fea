package reference

import (
	"strings"
	"testing"
	"time"
)

func TestFromOptions(t *testing.T) {
	cases := []struct {
		name    string
		in      map[string]any
		check   func(Options) bool
		wantErr string
	}{
		{"nil map keeps every default", nil, func(o Options) bool { return o == DefaultOptions() }, ""},
		{"switch breakers off", map[string]any{"breakers": false}, func(o Options) bool { return !o.Breakers && o.Retries }, ""},
		{"durations as strings", map[string]any{"gateway_timeout": "750ms"}, func(o Options) bool { return o.GatewayTimeout == 750*time.Millisecond }, ""},
		{"numbers decode", map[string]any{"throttle_rate": 10, "throttle_burst": 5}, func(o Options) bool { return o.ThrottleRate == 10 && o.ThrottleBurst == 5 }, ""},
		{"unknown key names the allowed ones", map[string]any{"breaker": true}, nil, "allowed keys"},
		{"wrong type is refused", map[string]any{"retries": "sometimes"}, nil, "reference options"},
		{"zero timeout is refused with a hint", map[string]any{"call_timeout": "0s"}, nil, "timeouts: false"},
		{"thresholds must be positive", map[string]any{"unhealthy_threshold": 0}, nil, "unhealthy_threshold"},
	}
	for _, c := range cases {
		o, err := FromOptions(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !c.check(o) {
			t.Errorf("%s: got %+v", c.name, o)
		}
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig("t.yaml", []byte("replace_delay: 3s\noptions:\n  breakers: false\n  items: 10\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ReplaceDelay != 3*time.Second || cfg.Options.Breakers || cfg.Options.Items != 10 || !cfg.Options.Retries {
		t.Fatalf("got %+v", cfg)
	}
	if _, err := ParseConfig("t.yaml", []byte("replace_dely: 3s\n")); err == nil || !strings.Contains(err.Error(), "t.yaml") {
		t.Fatalf("misspelt key: err = %v, want an error naming the file", err)
	}
}

// FuzzParseConfig: no input panics, and an accepted config validates.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"", "replace_delay: 2s", "options: {breakers: false}", "options: [1,2]", "options:\n  items: -1", "\x00", "registry: 127.0.0.1:0\nkeep_dir: true"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, err := ParseConfig("fuzz", raw)
		if err == nil {
			if verr := cfg.Options.Validate(); verr != nil {
				t.Fatalf("accepted an invalid config: %v", verr)
			}
		}
	})
}
