package coordinator

import (
	"time"

	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/reports"
)

// member is one agent's part in the run.
type member struct {
	rec      reports.Agent
	state    string // pending, active, draining (said done, windows due), done, refused, lost
	got      int    // distinct windows received
	want     int    // windows the agent said it sent (once draining)
	share    float64
	assigned time.Time
	lastWin  time.Time // end of the latest window received
	heard    time.Time // latest message of any kind
	inFlight int       // heartbeat sends that have not returned yet
	hbFails  int       // heartbeat sends failed in a row
}

// Gap is the time an agent's share went unserved: from the end of its last
// window to when the cluster declared it dead and its share was re-split.
type Gap struct {
	Agent      string        `json:"agent"`
	LastWindow time.Time     `json:"last_window"`
	Detected   time.Time     `json:"detected"`
	Gap        time.Duration `json:"gap"`
}

func newMember(m cluster.Member, now time.Time) *member {
	return &member{
		state:    "pending",
		assigned: now,
		rec: reports.Agent{
			ID: m.ID, Addr: m.Addr, Capacity: m.Capacity, Labels: m.Labels, Joined: now,
		},
	}
}

// suspectAfter is how long a serving agent may be silent before the live
// view calls it suspect: windows come every second.
const suspectAfter = 2500 * time.Millisecond

// serving reports whether the agent counts in the split.
func (m *member) serving() bool { return m.state == "pending" || m.state == "active" }
