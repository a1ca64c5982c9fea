package reference

import "testing"

func TestHealthThresholds(t *testing.T) {
	o := DefaultOptions()
	o.UnhealthyThreshold, o.HealthyThreshold = 3, 2
	h := newHealthChecker(o)
	h.add(member{id: "a"})
	steps := []struct {
		ok   bool
		want bool
		why  string
	}{
		{true, true, "first result registers at once"},
		{false, true, "one failure is noise"},
		{false, true, "two failures are still under the threshold of 3"},
		{false, false, "third failure in a row de-registers"},
		{true, false, "one success is under the healthy threshold of 2"},
		{false, false, "a failure resets the success run"},
		{true, false, "success run 1"},
		{true, true, "success run 2 re-registers"},
	}
	for i, s := range steps {
		h.observe("a", s.ok)
		if got := h.registered("a"); got != s.want {
			t.Fatalf("step %d (%s): registered = %v", i, s.why, got)
		}
	}
	_, events := h.view()
	if len(events) != 3 { // registered, de-registered, re-registered
		t.Fatalf("events = %+v, want 3", events)
	}
	if h.registered("unknown") {
		t.Fatal("an unknown member is registered")
	}
}

func TestTracerSummary(t *testing.T) {
	tr := newTracer()
	tr.add(Trace{ID: "t1", Endpoint: "orders.create", Status: 201, Calls: []Call{{Service: "inventory", Outcome: OutcomeOK}, {Service: "bus", Outcome: OutcomeOK}}})
	tr.add(Trace{ID: "t2", Endpoint: "orders.create", Status: 503, Calls: []Call{{Service: "inventory", Outcome: OutcomeTimeout}}})
	s := tr.snapshot()["orders.create"]
	if s.Requests != 2 || s.Status[201] != 1 || s.Status[503] != 1 || s.Deps["inventory"][OutcomeTimeout] != 1 || s.Deps["bus"][OutcomeOK] != 1 {
		t.Fatalf("summary = %+v", s)
	}
	if got := tr.find("t2"); len(got) != 1 || got[0].Status != 503 {
		t.Fatalf("find(t2) = %+v", got)
	}
}
