package reference

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// notify is a durable work-queue consumer of ORDERS (the whitepaper's SQS
// consumer): at-least-once, so it records how many times each order was
// delivered, and it reports the backlog the bus still holds for it.
type notify struct {
	n    *node
	cons jetstream.Consumer

	mu         sync.Mutex
	deliveries map[string]int
	total      int
}

// NotifyStats is what notify reports.
type NotifyStats struct {
	Delivered   int    `json:"delivered"`   // deliveries, duplicates included
	Unique      int    `json:"unique"`      // distinct orders delivered
	Redelivered int    `json:"redelivered"` // Delivered - Unique
	Backlog     int64  `json:"backlog"`     // pending + unacknowledged; -1 if the bus did not answer
	Error       string `json:"error,omitempty"`
}

func runNotify(ctx context.Context, n *node) (http.Handler, error) {
	cons, err := waitFor(ctx, "create durable consumer "+consumerNotify, func(ctx context.Context) (jetstream.Consumer, error) {
		return n.js.CreateOrUpdateConsumer(ctx, streamOrders, jetstream.ConsumerConfig{
			Durable: consumerNotify, AckPolicy: jetstream.AckExplicitPolicy, AckWait: 10 * time.Second,
			FilterSubject: subjectPlaced + ">", MaxAckPending: 2000, DeliverPolicy: jetstream.DeliverAllPolicy,
		})
	})
	if err != nil {
		return nil, err
	}
	nt := &notify{n: n, cons: cons, deliveries: map[string]int{}}
	cc, err := cons.Consume(nt.deliver, jetstream.PullExpiry(5*time.Second), jetstream.PullHeartbeat(time.Second), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		n.log.Printf("notify consumer: %v", err)
	}))
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, cc.Stop)
	n.setStats(func() any { return nt.stats(context.Background()) })
	mux := http.NewServeMux()
	mux.HandleFunc("GET /notify/deliveries/{id}", nt.get)
	mux.HandleFunc("GET /notify/stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, nt.stats(r.Context())) })
	return mux, nil
}

func (nt *notify) deliver(msg jetstream.Msg) {
	var ev OrderPlaced
	if err := json.Unmarshal(msg.Data(), &ev); err != nil {
		msg.Term() // poison: never redeliver
		return
	}
	nt.mu.Lock()
	nt.deliveries[ev.ID]++
	nt.total++
	nt.mu.Unlock()
	msg.Ack()
}

func (nt *notify) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	nt.mu.Lock()
	n := nt.deliveries[id]
	nt.mu.Unlock()
	if n == 0 {
		writeErr(w, http.StatusNotFound, "order %q not delivered (yet)", id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deliveries": n})
}

func (nt *notify) stats(ctx context.Context) NotifyStats {
	nt.mu.Lock()
	s := NotifyStats{Delivered: nt.total, Unique: len(nt.deliveries)}
	nt.mu.Unlock()
	s.Redelivered = s.Delivered - s.Unique
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	info, err := nt.cons.Info(ctx)
	if err != nil {
		s.Backlog, s.Error = -1, err.Error()
		return s
	}
	s.Backlog = int64(info.NumPending) + int64(info.NumAckPending)
	return s
}
