package scenarios

import (
	"strings"
	"testing"
)

// Every catalogue file must decode and validate; a broken built-in would
// be the first thing a new user meets.
func TestCatalogValidates(t *testing.T) {
	entries := Catalog()
	if len(entries) == 0 {
		t.Fatal("catalogue is empty")
	}
	for _, e := range entries {
		s, err := Resolve(e.Name)
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		if s.Name != e.Name {
			t.Errorf("%s: scenario name %q differs from its file name", e.File, s.Name)
		}
		if e.Description == "" {
			t.Errorf("%s: no description", e.File)
		}
	}
}

func TestCatalogClaimsLoad(t *testing.T) {
	if _, err := CatalogClaims(); err != nil {
		t.Fatalf("claims library: %v", err)
	}
}

// A name that is neither a file nor a catalogue entry gives one line with
// the catalogue names as what is allowed.
func TestResolveUnknown(t *testing.T) {
	_, err := Resolve("smok")
	if err == nil {
		t.Fatal("no error")
	}
	want := `smok: no such scenario file or catalogue name; did you mean "smoke"? (allowed: a path to a YAML file, or one of: `
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got  %q\nwant prefix %q", err.Error(), want)
	}
}

func TestSmokeDefaults(t *testing.T) {
	s, err := Resolve("smoke")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Load.Rate.PerSecond(); got != 50 {
		t.Errorf("rate %v/s, want 50/s", got)
	}
	if s.Load.Mix[1].Weight != 3 || s.Load.Mix[0].Method != "GET" {
		t.Errorf("mix %+v", s.Load.Mix)
	}
	for _, e := range s.Expect {
		if e.Expr == nil {
			t.Errorf("%q was not parsed", e.Source)
		}
	}
}

// A scenario may list a library claim by id; its rules are checked against
// the scenario (recovery needs faults), and an unknown id is an error.
func TestClaimByID(t *testing.T) {
	base := "version: 1\nname: c\ntarget: {kind: external, base_url: \"http://127.0.0.1:1\"}\nload: {rate: 1/s, duration: 10s, mix: [{name: a, path: /}]}\n"
	withFault := base + "timeline: [{name: k, at: 1s, duration: 2s, kind: kill, target: {service: s}}]\n"
	s, err := Decode("c.yaml", []byte(withFault+"claims: [automatic-replacement]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Claims) != 1 || s.Claims[0].Rules[0].Expr == nil || s.Claims[0].Statement == "" {
		t.Fatalf("claims %+v", s.Claims)
	}
	_, err = Decode("c.yaml", []byte(base+"claims: [automatic-replacement]\n"))
	want := `c.yaml:5:10: claim automatic-replacement, rule "availability >= 99% during phase(recovery)": phase recovery needs faults, and the timeline is empty (allowed: warmup, baseline, run)`
	if err == nil || err.Error() != want {
		t.Errorf("claim without faults:\n got %v\nwant %s", err, want)
	}
	_, err = Decode("c.yaml", []byte(base+"claims: [failure-isolaton]\n"))
	want = `c.yaml:5:10: unknown claim "failure-isolaton"; did you mean "failure-isolation"? (allowed: an id from scenarios/catalog/claims.yaml (automatic-replacement, eventual-consistency, failure-isolation, wp-async-decoupling, wp-caching, wp-containment, wp-datastore-latency, wp-deregistration, wp-durability, wp-eventual-consistency, wp-partition-tolerance, wp-replacement, wp-throttling) or a claim object)`
	if err == nil || err.Error() != want {
		t.Errorf("unknown claim:\n got %v\nwant %s", err, want)
	}
}
