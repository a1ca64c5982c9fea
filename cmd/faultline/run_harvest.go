package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// The reference topology's parts the target metrics name: the edge that
// receives the load, the data store its services call, the async consumer
// and the target endpoint whose acknowledged writes that consumer must
// receive.
const (
	harvestEdge     = "gateway"
	harvestStore    = "bus"
	harvestConsumer = "notify"
	harvestProducer = "orders.create"
)

// backlogEvery is how often the consumer's backlog is sampled during a
// pass, and summaryEvery how often every instance's trace summary is
// (what a killed instance counted until then survives it). Samples ride
// on the session's poll of the target's events (every 200 ms), so the
// spacing is this rounded up to the next poll. A window judged from the
// summaries loses up to one spacing at each end (it is measured between
// the first and last sample inside it), so the spacing is kept well under
// a phase: a 3 s baseline sampled each 1.2 s kept only 1.2 s of it.
// About 13 instances x 2.5 reads a second: nothing a target notices.
const (
	backlogEvery = 500 * time.Millisecond
	summaryEvery = 400 * time.Millisecond
)

// inventory is what the harvester needs of a target: its instances (with
// admin addresses) and its endpoints.
type inventory interface {
	Instances(ctx context.Context) ([]targets.Instance, error)
	Endpoints() []targets.Endpoint
}

// harvester reads a target's own measurements over one pass: the async
// consumer's backlog while the pass runs, and at its end every
// instance's trace summary and the consumer's counts (a target_harvest
// event, see reports.TargetHarvest).
type harvester struct {
	inv    inventory
	mix    []scenarios.Endpoint
	events func(since time.Time) []reports.Event // the target's own events
	client *http.Client

	mu       sync.Mutex
	sampled  time.Time // last backlog sample
	summed   time.Time // last summary sample
	backlog  []reports.BacklogSample
	last     map[string]incarnation   // instance id -> its process's last summary
	previous map[string][]incarnation // instance id -> summaries of processes that died
	series   reports.SeriesRecorder   // every summary read, for metrics over windows

	endMu sync.Mutex // not mu: the end-of-pass read takes seconds of I/O
	final *finalRead // that read, shared by Traced and harvest
}

// finalRead is every instance's summary as read once the load stopped.
type finalRead struct {
	insts []targets.Instance
	sums  map[string]map[string]reports.EndpointTraces
	notes []string
}

// endRead reads every instance's summary once the load has stopped, the
// first time it is called in a pass: the traced graph and the harvest are
// built from the same read rather than each reading every instance.
func (h *harvester) endRead(ctx context.Context) *finalRead {
	h.endMu.Lock()
	defer h.endMu.Unlock()
	if h.final == nil {
		insts, _ := h.inv.Instances(ctx)
		sums, notes := readSummaries(ctx, h.client, insts)
		h.final = &finalRead{insts: insts, sums: sums, notes: notes}
	}
	return h.final
}

// traced is the session's Traced: the dependencies the end-of-pass read
// saw, its unread instances written to diag.
func (h *harvester) traced(ctx context.Context, diag io.Writer) *reports.DepGraph {
	f := h.endRead(ctx)
	for _, n := range f.notes {
		if diag != nil {
			fmt.Fprintln(diag, "traced:", n)
		}
	}
	return tracedFrom(f.sums, f.insts, h.inv.Endpoints(), h.mix)
}

// incarnation is one process of an instance and its last sampled summary.
type incarnation struct {
	pid  int
	sums map[string]reports.EndpointTraces
}

func newHarvester(inv inventory, mix []scenarios.Endpoint, events func(time.Time) []reports.Event) *harvester {
	return &harvester{inv: inv, mix: mix, events: events, client: &http.Client{Timeout: 2 * time.Second},
		last: map[string]incarnation{}, previous: map[string][]incarnation{}}
}

// targetEvents is the session's TargetEvents: the target's own events,
// and a backlog sample when one is due.
func (h *harvester) targetEvents(since time.Time) []reports.Event {
	if h.due(&h.sampled, backlogEvery) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if c, err := h.consumer(ctx); err == nil && c.Backlog >= 0 {
			h.addSample(c.Backlog)
		}
		cancel()
	}
	if h.due(&h.summed, summaryEvery) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		h.sampleSummaries(ctx)
		cancel()
	}
	if h.events == nil {
		return nil
	}
	return h.events(since)
}

// due reports whether every has passed since *last, and if so restarts it.
func (h *harvester) due(last *time.Time, every time.Duration) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(*last) < every {
		return false
	}
	*last = time.Now()
	return true
}

// sampleSummaries reads every live instance's summary, in parallel, and
// keeps the last one per process: when an instance's pid changes, the
// last summary of the process that died is kept aside for the harvest.
func (h *harvester) sampleSummaries(ctx context.Context) {
	insts, _ := h.inv.Instances(ctx)
	var wg sync.WaitGroup
	for _, in := range insts {
		if in.Admin == "" || in.State != targets.StateRunning {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s, err := fetchSummary(ctx, h.client, in.Admin); err == nil {
				h.keep(in, s)
			}
		}()
	}
	wg.Wait()
}

// keep records s, read now, as the latest summary of in's current
// process, and adds it to the instance's series.
func (h *harvester) keep(in targets.Instance, s map[string]reports.EndpointTraces) {
	at := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.series.Add(in.ID, in.Role, in.PID, at, s)
	if prev, ok := h.last[in.ID]; ok && prev.pid != in.PID {
		h.previous[in.ID] = append(h.previous[in.ID], prev)
	}
	h.last[in.ID] = incarnation{pid: in.PID, sums: s}
}

func (h *harvester) addSample(n int64) {
	h.mu.Lock()
	h.backlog = append(h.backlog, reports.BacklogSample{Time: time.Now(), Backlog: n})
	h.mu.Unlock()
}

// consumer reads the async consumer's counts from its admin endpoint.
func (h *harvester) consumer(ctx context.Context) (*reports.ConsumerStats, error) {
	insts, err := h.inv.Instances(ctx)
	if err != nil {
		return nil, err
	}
	for _, in := range insts {
		if in.Role != harvestConsumer || in.Admin == "" {
			continue
		}
		c := &reports.ConsumerStats{Instance: in.ID}
		if err := getAdmin(ctx, h.client, in.Admin, "/stats", c); err != nil {
			return nil, fmt.Errorf("%s: %w", in.ID, err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("no %s instance", harvestConsumer)
}

// harvest reads every instance's trace summary and the consumer's counts,
// once the load has stopped, as the session's Harvest.
func (h *harvester) harvest(ctx context.Context) []reports.Event {
	th := &reports.TargetHarvest{Edge: harvestEdge, Store: harvestStore, Endpoints: map[string]string{},
		Instances: map[string]reports.InstanceTraces{}}
	eps := h.inv.Endpoints()
	for _, m := range h.mix {
		for _, te := range eps {
			if mixServes(m, te.Name, eps) {
				th.Endpoints[m.Name] = te.Name
				if te.Name == harvestProducer && th.Producer == "" {
					th.Producer = m.Name
				}
			}
		}
	}
	f := h.endRead(ctx)
	th.Notes = append(th.Notes, f.notes...)
	for _, in := range f.insts {
		s, ok := f.sums[in.ID]
		if !ok {
			continue
		}
		h.keep(in, s)
		s, merged := h.withPrevious(in.ID, s)
		if merged {
			th.Merged = append(th.Merged, in.ID)
		}
		th.Instances[in.ID] = reports.InstanceTraces{Role: in.Role, Endpoints: s}
	}
	c, err := h.consumer(ctx)
	if err != nil {
		th.Notes = append(th.Notes, fmt.Sprintf("consumer not read: %v", err))
	} else {
		th.Consumer = c
		if c.Backlog >= 0 {
			h.addSample(c.Backlog) // the end state: a late drain still shows
		}
	}
	h.mu.Lock()
	th.Backlog = append([]reports.BacklogSample(nil), h.backlog...)
	th.Series = h.series.Series()
	h.mu.Unlock()
	sort.Strings(th.Merged)
	return []reports.Event{{Time: time.Now(), Kind: reports.EvHarvest, Params: map[string]any{"harvest": th},
		Detail: fmt.Sprintf("the target's own measurements: traces of %d instances (%d series of snapshots), %d backlog samples", len(th.Instances), len(th.Series), len(th.Backlog))}}
}

// withPrevious adds to s the last sampled counts of every earlier process
// of instance id, and says whether there was one.
func (h *harvester) withPrevious(id string, s map[string]reports.EndpointTraces) (map[string]reports.EndpointTraces, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.previous[id]) == 0 {
		return s, false
	}
	out := maps.Clone(s)
	for _, inc := range h.previous[id] {
		out = reports.AddTraces(out, inc.sums)
	}
	return out, true
}
