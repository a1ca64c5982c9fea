package load

import (
	"math"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// A ramp from 0 to 400/s over 3 s, end to end: each window's intended count
// is the schedule's (the ramp's area over that second: 67, 200, 333), and
// the engine sends them.
func TestRampWindows(t *testing.T) {
	if testing.Short() {
		t.Skip("3 s of load")
	}
	srv := newArrivals(t, time.Now(), nil)
	start := time.Now().Add(200 * time.Millisecond)
	load := constLoad(400, 3*time.Second)
	load.Shape = scenarios.Shape{Kind: "ramp", From: perSec(0)}
	ws := runEngine(t, Config{BaseURL: srv.srv.URL, Share: 1, Start: start, Load: load})
	want := []float64{400.0 / 6, 400.0 / 2, 400.0 * 5 / 6}
	if len(ws) != 3 {
		t.Fatalf("%d windows", len(ws))
	}
	for i, w := range ws {
		if math.Abs(float64(w.Intended)-want[i]) > 1 {
			t.Errorf("window %d: intended %d, want %.1f", i, w.Intended, want[i])
		}
	}
	if tot := sum(ws, ""); tot.requests != tot.intended || tot.intended != 600 {
		t.Errorf("requests %d intended %d, want 600 both", tot.requests, tot.intended)
	}
}

// Rate 0 is unpaced: as fast as MaxWorkers allow. Every released hit is
// intended, no schedule means nothing is ever behind, and a cap of 4
// workers never has more than 4 requests in flight.
func TestUnpaced(t *testing.T) {
	var inFlight, peak int64
	var mu = make(chan struct{}, 1)
	track := newArrivals(t, time.Now(), nil)
	track.stall = func(int) time.Duration {
		mu <- struct{}{}
		inFlight++
		peak = max(peak, inFlight)
		<-mu
		time.Sleep(time.Millisecond)
		mu <- struct{}{}
		inFlight--
		<-mu
		return 0
	}
	ws := runEngine(t, Config{BaseURL: track.srv.URL, Share: 1, MaxWorkers: 4, Load: constLoad(0, time.Second)})
	tot := sum(ws, "")
	if tot.requests < 100 || tot.good != tot.requests {
		t.Errorf("requests %d good %d: unpaced sent too little", tot.requests, tot.good)
	}
	if tot.intended != tot.requests || tot.maxBehind != 0 {
		t.Errorf("intended %d requests %d behind %s", tot.intended, tot.requests, tot.maxBehind)
	}
	if peak > 4 {
		t.Errorf("%d requests in flight at once, cap 4", peak)
	}
}
