package reference

import (
	"encoding/json"
	"io"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// fakeMsg is a delivered OrderPlaced that remembers how it was settled.
type fakeMsg struct {
	jetstream.Msg // other methods are not called
	data          []byte
	settled       string
}

func (m *fakeMsg) Data() []byte { return m.data }
func (m *fakeMsg) Ack() error   { m.settled = "ack"; return nil }
func (m *fakeMsg) Nak() error   { m.settled = "nak"; return nil }
func (m *fakeMsg) Term() error  { m.settled = "term"; return nil }

func orderMsg(t *testing.T, id string) *fakeMsg {
	b, err := json.Marshal(OrderPlaced{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeMsg{data: b}
}

// TestNotifyDeliveryLog: deliveries recorded (then acknowledged) by one
// process are read back by its replacement, duplicates included; a
// delivery that cannot be recorded is not acknowledged.
func TestNotifyDeliveryLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "notify-1-deliveries.log")
	first := &notify{deliveries: map[string]int{}}
	if err := first.open(path); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "a", "c"} { // "a" delivered twice
		m := orderMsg(t, id)
		first.deliver(m)
		if m.settled != "ack" {
			t.Fatalf("delivery of %s settled %q, want ack", id, m.settled)
		}
	}
	first.log.Close() // the process dies here
	second := &notify{deliveries: map[string]int{}}
	if err := second.open(path); err != nil {
		t.Fatal(err)
	}
	if second.total != 4 || len(second.deliveries) != 3 || second.deliveries["a"] != 2 {
		t.Fatalf("read back %d deliveries of %d orders (%v), want 4 of 3 with a twice", second.total, len(second.deliveries), second.deliveries)
	}
	second.deliver(orderMsg(t, "d"))
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "a\nb\na\nc\nd\n" {
		t.Fatalf("log %q, %v; want the five deliveries in order", b, err)
	}
	poison := &fakeMsg{data: []byte("{")}
	second.deliver(poison)
	second.log.Close() // the disk is gone: deliveries cannot be recorded
	second.n = &node{log: log.New(io.Discard, "", 0)}
	lost := orderMsg(t, "e")
	second.deliver(lost)
	if poison.settled != "term" || lost.settled != "nak" || second.deliveries["e"] != 0 {
		t.Fatalf("poison %q, unrecorded %q (%d); want term, nak and no count", poison.settled, lost.settled, second.deliveries["e"])
	}
}
