package cluster

import (
	"errors"
	"strings"
	"testing"
)

func TestMeta(t *testing.T) {
	cases := []struct {
		name    string
		m       Meta
		wantErr error
	}{
		// A typical agent fits easily.
		{"typical", Meta{Role: RoleAgent, ID: "agent-1", Version: "v1.2.3", Labels: map[string]string{"zone": "a"}, Capacity: 2, Control: "10.0.0.1:7946"}, nil},
		// Labels that blow the 512-byte gossip limit are refused up front.
		{"too large", Meta{Role: RoleAgent, ID: "a", Labels: map[string]string{"k": strings.Repeat("x", 600)}}, ErrMetaTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.m.Encode()
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("Encode = %v, want %v", err, c.wantErr)
			}
			if err != nil {
				return
			}
			got, err := DecodeMeta(b)
			if err != nil || got.ID != c.m.ID || got.Capacity != c.m.Capacity || got.Labels["zone"] != c.m.Labels["zone"] {
				t.Fatalf("DecodeMeta = %+v, %v", got, err)
			}
		})
	}
}

func FuzzDecodeMeta(f *testing.F) {
	b, _ := Meta{Role: RoleCoordinator, ID: "c"}.Encode()
	f.Add(b)
	f.Add([]byte(`{"r":"x","i":"y"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMeta(b)
		if err == nil && (m.ID == "" || (m.Role != RoleAgent && m.Role != RoleCoordinator)) {
			t.Fatalf("accepted invalid meta %+v", m)
		}
	})
}

func TestCheckBind(t *testing.T) {
	cases := []struct {
		name            string
		bind, advertise string
		keyFile         bool
		ok              bool
	}{
		{"loopback without key file is fine (a key is generated)", "127.0.0.1", "", false, true},
		{"any address without key file is refused", "0.0.0.0", "", false, false},
		{"advertising a LAN address without key file is refused", "127.0.0.1", "10.1.2.3", false, false},
		{"a LAN bind with a key file is fine", "10.1.2.3", "", true, true},
	}
	for _, c := range cases {
		if err := CheckBind(c.bind, c.advertise, c.keyFile); (err == nil) != c.ok {
			t.Errorf("%s: CheckBind = %v", c.name, err)
		}
	}
}
