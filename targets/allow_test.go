package targets

import (
	"errors"
	"testing"
)

func TestAllowlist(t *testing.T) {
	a, err := NewAllowlist("http://shop.staging.internal:8080", "10.1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:9/x", true},                // loopback, any port
		{"http://127.8.9.10/x", true},                 // all of 127/8 is loopback
		{"http://[::1]:80/", true},                    // IPv6 loopback
		{"http://localhost:1/", true},                 // the one name we trust
		{"http://shop.staging.internal:8080/", true},  // listed host:port
		{"http://shop.staging.internal:9090/", false}, // listed host, other port
		{"http://10.1.2.3:443/", true},                // bare host allows any port
		{"http://10.1.2.4/", false},                   // private range is not loopback
		{"http://example.com/", false},                // never anything else
		{"not a url", false},
	}
	for _, c := range cases {
		err := a.CheckURL(c.url)
		if (err == nil) != c.ok {
			t.Errorf("%s: err=%v, want ok=%v", c.url, err, c.ok)
		}
		if err != nil && c.url != "not a url" && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("%s: error does not wrap ErrNotAllowed: %v", c.url, err)
		}
	}
}
