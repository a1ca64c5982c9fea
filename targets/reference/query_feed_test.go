package reference

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// fill projects the events a lane's gap left out, straight from the
// stream, skipping deleted ones; a gap wider than a batch is refused.
func TestQueryFillsFeedGap(t *testing.T) {
	js := testBus(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: streamOrders, Subjects: []string{subjectPlaced + ">"}, AllowDirect: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 6; i++ {
		b, _ := json.Marshal(OrderPlaced{ID: fmt.Sprintf("o-%d", i), Item: "item-1", Qty: 1})
		if _, err := js.Publish(ctx, subjectPlaced+fmt.Sprint(i), b); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.DeleteMsg(ctx, 3); err != nil {
		t.Fatal(err)
	}
	q := &query{n: &node{js: js, nc: js.Conn(), log: log.New(io.Discard, "", 0)}, stream: stream, orders: map[string]OrderPlaced{}}
	first, _ := stream.GetMsg(ctx, 1)
	q.project(1, first.Data)

	// A lane delivered sequence 6 right after 1: 2 to 5 are missing, 3
	// was deleted.
	if err := q.fill(6); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   string
		want bool
	}{{"o-1", true}, {"o-2", true}, {"o-3", false}, {"o-4", true}, {"o-5", true}, {"o-6", false}} {
		if _, ok := q.orders[c.id]; ok != c.want {
			t.Errorf("%s projected %v, want %v", c.id, ok, c.want)
		}
	}
	if q.lastSeq != 5 || q.applied != 4 {
		t.Errorf("last seq %d, applied %d; want 5 and 4", q.lastSeq, q.applied)
	}
	if err := q.fill(q.next() + feedBatch + 1); err == nil {
		t.Error("a gap wider than a batch was filled; want it left to a new consumer")
	}
}
