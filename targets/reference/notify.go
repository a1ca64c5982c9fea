package reference

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// notify is a durable work-queue consumer of ORDERS (the whitepaper's SQS
// consumer): at-least-once, so it records how many times each order was
// delivered, and it reports the backlog the bus still holds for it.
//
// Each delivery is appended to a file in the run directory before it is
// acknowledged, as a real consumer writes its side effect before the ack:
// a replacement reads the file back, so deliveries survive a kill and an
// order acknowledged but never delivered shows as missing, not as
// forgotten.
type notify struct {
	n    *node
	cons jetstream.Consumer

	mu         sync.Mutex
	deliveries map[string]int
	total      int
	log        *os.File // one order id per line per delivery
}

// notifyAckWait: see runNotify.
const notifyAckWait = 3 * time.Second

// NotifyStats is what notify reports.
type NotifyStats struct {
	Delivered   int    `json:"delivered"`   // deliveries, duplicates included
	Unique      int    `json:"unique"`      // distinct orders delivered
	Redelivered int    `json:"redelivered"` // Delivered - Unique
	Backlog     int64  `json:"backlog"`     // pending + unacknowledged; -1 if the bus did not answer
	Error       string `json:"error,omitempty"`
}

func runNotify(ctx context.Context, n *node) (http.Handler, error) {
	// AckWait is how long a delivery the consumer took but never acked (it
	// was killed holding it) stays out of reach: JetStream redelivers it
	// only then. notify acks within milliseconds (one file append), so 3 s
	// leaves a loaded box room while a killed consumer's backlog drains
	// about a second after its replacement starts, not eight (10 s).
	cons, err := waitFor(ctx, "create durable consumer "+consumerNotify, func(ctx context.Context) (jetstream.Consumer, error) {
		return n.js.CreateOrUpdateConsumer(ctx, streamOrders, jetstream.ConsumerConfig{
			Durable: consumerNotify, AckPolicy: jetstream.AckExplicitPolicy, AckWait: notifyAckWait,
			FilterSubject: subjectPlaced + ">", MaxAckPending: 2000, DeliverPolicy: jetstream.DeliverAllPolicy,
		})
	})
	if err != nil {
		return nil, err
	}
	nt := &notify{n: n, cons: cons, deliveries: map[string]int{}}
	if err := nt.open(filepath.Join(n.spec.Dir, "data", n.self.ID+"-deliveries.log")); err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, func() { nt.log.Close() })
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
	_, err := nt.log.WriteString(ev.ID + "\n")
	if err == nil {
		nt.deliveries[ev.ID]++
		nt.total++
	}
	nt.mu.Unlock()
	if err != nil {
		nt.n.log.Printf("notify: record delivery of %s: %v", ev.ID, err)
		msg.Nak() // not recorded: have it delivered again
		return
	}
	msg.Ack()
}

// open reads back the deliveries a previous incarnation recorded in path,
// then opens it for appending.
func (nt *notify) open(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if id := sc.Text(); id != "" {
				nt.deliveries[id]++
				nt.total++
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	nt.log, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	return err
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
