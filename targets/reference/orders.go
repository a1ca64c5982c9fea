package reference

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
)

// orders takes an order: it reserves stock on inventory over HTTP, then
// appends OrderPlaced to ORDERS and answers 201 only after JetStream has
// acknowledged the append (the event is then on a quorum of buses).
type orders struct {
	n      *node
	inv    *depClient
	stream jetstream.Stream

	released, unreleased atomic.Int64 // stock of failed orders given back, or not
}

// OrdersStats is orders' /stats: how many failed orders had their stock
// given back, and how many could not.
type OrdersStats struct {
	Released   int64 `json:"released"`
	Unreleased int64 `json:"unreleased"`
}

// OrderRequest is the body of POST /orders.
type OrderRequest struct {
	Item string `json:"item"`
	Qty  int    `json:"qty"`
}

func runOrders(ctx context.Context, n *node) (http.Handler, error) {
	stream, err := waitFor(ctx, "open stream "+streamOrders, func(ctx context.Context) (jetstream.Stream, error) { return n.js.Stream(ctx, streamOrders) })
	if err != nil {
		return nil, err
	}
	members, err := n.membersOf("inventory")
	if err != nil {
		return nil, err
	}
	o := &orders{n: n, stream: stream, inv: newDepClient("inventory", members, n.o, n.o.CallTimeout, seedOf(n.self.ID))}
	n.setStats(func() any { return OrdersStats{Released: o.released.Load(), Unreleased: o.unreleased.Load()} })
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", o.create)
	mux.HandleFunc("GET /orders/{id}", o.get)
	return mux, nil
}

func (o *orders) create(w http.ResponseWriter, r *http.Request) {
	var rq OrderRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&rq); err != nil || rq.Item == "" || rq.Qty < 1 || rq.Qty > 1000 {
		writeErr(w, http.StatusBadRequest, "body must be {\"item\":id,\"qty\":1..1000}")
		return
	}
	id := uuid.NewString()
	body, _ := json.Marshal(Reservation{Order: id, Item: rq.Item, Qty: rq.Qty})
	rep, err := o.inv.do(r.Context(), http.MethodPost, "/reserve", body, true, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		// Any failure to reserve makes orders unavailable (503); 504 is the
		// gateway's to give when orders itself does not answer in time.
		writeErr(w, http.StatusServiceUnavailable, "reserve stock on inventory: %v", err)
		return
	}
	if rep.status != http.StatusOK {
		status := rep.status
		if status >= 500 {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(rep.body)
		return
	}
	ev, _ := json.Marshal(OrderPlaced{ID: id, Item: rq.Item, Qty: rq.Qty, At: time.Now().UTC(), Trace: traceID(r.Context()), Placed: o.n.self.ID})
	var seq uint64
	err = o.n.busCall(r.Context(), func(ctx context.Context) error {
		ack, err := o.n.js.Publish(ctx, subjectPlaced+id, ev, jetstream.WithMsgID(id))
		if err == nil {
			seq = ack.Sequence
		}
		return err
	})
	if err != nil {
		// The append may have been stored with its ack lost: then the order
		// stands. Otherwise the reserved stock goes back, in the background
		// so that the 503 is not delayed by a bus that is failing.
		// Neither is cut short by a caller that has gone (a gateway timeout).
		ctx := context.WithoutCancel(r.Context())
		if seq = o.placedSeq(ctx, id); seq == 0 {
			go o.release(ctx, body)
			writeErr(w, http.StatusServiceUnavailable, "append OrderPlaced to %s: %v", streamOrders, err)
			return
		}
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "seq": seq, "item": rq.Item, "qty": rq.Qty})
}

// placedSeq returns the stream sequence of order id's OrderPlaced, or 0
// when it cannot be read (absent, or the bus did not answer). It asks the
// stream leader (the message-get API), not a direct get: any replica
// answers a direct get, and one that lags would say "absent" for an
// append that a quorum has stored.
func (o *orders) placedSeq(ctx context.Context, id string) uint64 {
	var seq uint64
	o.n.busCall(ctx, func(ctx context.Context) error {
		req, _ := json.Marshal(map[string]string{"last_by_subj": subjectPlaced + id})
		msg, err := o.n.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET."+streamOrders, req)
		if err != nil {
			return err
		}
		var resp struct {
			Message *struct {
				Seq uint64 `json:"seq"`
			} `json:"message"`
			Error *jetstream.APIError `json:"error"`
		}
		switch err := json.Unmarshal(msg.Data, &resp); {
		case err != nil:
			return err
		case resp.Error != nil && resp.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound:
			return jetstream.ErrMsgNotFound
		case resp.Error != nil:
			return resp.Error
		case resp.Message != nil:
			seq = resp.Message.Seq
		}
		return nil
	})
	return seq
}

// release gives back the stock of an order that was reserved but not
// placed, so a failed order does not hold stock. It is bounded by the
// inventory client's timeout and retries; a release that fails is logged
// and counted, and its stock stays taken. One case it cannot tell: an
// append that timed out yet is applied after placedSeq looked leaves an
// order whose stock was returned.
func (o *orders) release(ctx context.Context, reservation []byte) {
	rep, err := o.inv.do(ctx, http.MethodPost, "/release", reservation, true, http.Header{"Content-Type": {"application/json"}})
	if err == nil && rep.status == http.StatusOK {
		o.released.Add(1)
		return
	}
	o.unreleased.Add(1)
	status := 0
	if rep != nil {
		status = rep.status
	}
	o.n.log.Printf("release of %s failed (status %d): %v; its stock stays reserved", reservation, status, err)
}

func (o *orders) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var msg *jetstream.RawStreamMsg
	err := o.n.busCall(r.Context(), func(ctx context.Context) error {
		var err error
		msg, err = o.stream.GetLastMsgForSubject(ctx, subjectPlaced+id)
		return err
	})
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "application/json")
		w.Write(msg.Data)
	case errors.Is(err, jetstream.ErrMsgNotFound):
		writeErr(w, http.StatusNotFound, "no order %q", id)
	default:
		writeErr(w, http.StatusServiceUnavailable, "read %s: %v", streamOrders, err)
	}
}
