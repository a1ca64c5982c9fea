package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"
)

// inventory keeps stock in the STOCK bucket and reserves it with
// compare-and-set. Every stock write carries the order id as its JetStream
// message id, so the bus drops a retried reserve of the same order as a
// duplicate: it never takes stock twice, even when the first attempt's
// write was applied but its ack was lost. That holds for the bucket's
// duplicate window (two minutes), far longer than the retries of one order.
type inventory struct {
	n     *node
	stock jetstream.KeyValue
	cache *stockCache
	locks *keyLocks

	reserves, releases, conflicts, reads atomic.Int64
}

// Reservation is the body of POST /reserve.
type Reservation struct {
	Order string `json:"order"`
	Item  string `json:"item"`
	Qty   int    `json:"qty"`
}

// InventoryStats is inventory's /stats: reserves and releases asked for,
// how often a compare-and-set lost, and how often the stock had to be read from the
// bus rather than taken from the cache.
type InventoryStats struct {
	Reserves  int64 `json:"reserves"`
	Releases  int64 `json:"releases"`
	Conflicts int64 `json:"cas_conflicts"`
	Reads     int64 `json:"stock_reads"`
}

// errNoStock means the item has less stock than asked.
var errNoStock = errors.New("insufficient stock")

const casAttempts = 32 // CAS retries under contention before giving up

// jsErrMsgIDInFlight is JetStream's "duplicate message id is in process":
// another write with the same message id is proposed but not yet applied.
const jsErrMsgIDInFlight jetstream.ErrorCode = 10158

func runInventory(ctx context.Context, n *node) (http.Handler, error) {
	stock, err := waitFor(ctx, "open bucket "+bucketStock, func(ctx context.Context) (jetstream.KeyValue, error) { return n.js.KeyValue(ctx, bucketStock) })
	if err != nil {
		return nil, err
	}
	inv := &inventory{n: n, stock: stock, cache: newStockCache(), locks: newKeyLocks()}
	go inv.cache.follow(ctx, stock, n.log.Printf)
	n.setStats(func() any {
		return InventoryStats{Reserves: inv.reserves.Load(), Releases: inv.releases.Load(), Conflicts: inv.conflicts.Load(), Reads: inv.reads.Load()}
	})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /reserve", inv.reserve)
	mux.HandleFunc("POST /release", inv.release)
	mux.HandleFunc("GET /stock/{item}", inv.get)
	return mux, nil
}

func (inv *inventory) reserve(w http.ResponseWriter, r *http.Request) {
	inv.serveAdjust(w, r, "reserved", &inv.reserves, inv.take)
}

// release returns the stock of an order that orders could not place.
func (inv *inventory) release(w http.ResponseWriter, r *http.Request) {
	inv.serveAdjust(w, r, "released", &inv.releases, inv.give)
}

// serveAdjust decodes a Reservation and applies fn to it. The work is
// bounded by CallTimeout, the caller's bound on one attempt: past it the
// caller has given up (and may be retrying), so a longer bus call would
// only hold the item's lock for nothing.
func (inv *inventory) serveAdjust(w http.ResponseWriter, r *http.Request, done string, count *atomic.Int64,
	fn func(ctx context.Context, order, item string, qty int64) (int64, bool, error)) {
	var rq Reservation
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&rq); err != nil || rq.Order == "" || rq.Item == "" || rq.Qty < 1 {
		writeErr(w, http.StatusBadRequest, "body must be {\"order\":id,\"item\":id,\"qty\":n>=1}")
		return
	}
	count.Add(1)
	ctx := r.Context()
	if inv.n.o.Timeouts {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, inv.n.o.CallTimeout)
		defer cancel()
	}
	left, dup, err := fn(ctx, rq.Order, rq.Item, int64(rq.Qty))
	switch {
	case err == nil && dup:
		writeJSON(w, http.StatusOK, map[string]any{done: true, "duplicate": true})
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]any{done: true, "left": left})
	case errors.Is(err, errNoStock):
		writeErr(w, http.StatusConflict, "%s: %v", rq.Item, err)
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrInvalidKey):
		writeErr(w, http.StatusNotFound, "no item %q", rq.Item)
	default:
		writeErr(w, http.StatusServiceUnavailable, "stock store unavailable: %v", err)
	}
}

// take decrements the item's stock by qty for order (see adjust); dup
// reports that order had already taken it.
func (inv *inventory) take(ctx context.Context, order, item string, qty int64) (left int64, dup bool, err error) {
	return inv.adjust(ctx, order, item, -qty)
}

// give returns qty of the item that order had taken, once: a retried
// release carries the same message id and the bus drops it.
func (inv *inventory) give(ctx context.Context, order, item string, qty int64) (left int64, dup bool, err error) {
	return inv.adjust(ctx, releaseID(order), item, qty)
}

// releaseID is the message id of the write that returns an order's stock;
// it differs from the order id, which the reserve's write carries.
func releaseID(order string) string { return "release-" + order }

// adjust adds delta to the item's stock with compare-and-set and msgID as
// the write's message id, starting from the cached revision. It reads the
// bus only when the cache has no entry, lost a compare-and-set, or says too
// little is left (a stale value must not refuse an order). dup reports that
// a write with msgID was already applied.
func (inv *inventory) adjust(ctx context.Context, msgID, item string, delta int64) (left int64, dup bool, err error) {
	unlock, err := inv.locks.lock(ctx, item)
	if err != nil {
		return 0, false, err
	}
	defer unlock()
	e, cached := inv.cache.get(item)
	for range casAttempts {
		if !cached {
			if e, err = inv.read(ctx, item); err != nil {
				return 0, false, err
			}
		}
		if e.have+delta < 0 {
			if cached {
				cached = false
				continue
			}
			return 0, false, errNoStock
		}
		ack, err := inv.write(ctx, msgID, item, e.have+delta, e.rev)
		switch {
		case err == nil && ack.Duplicate:
			return 0, true, nil
		case err == nil:
			inv.cache.put(item, stockEntry{have: e.have + delta, rev: ack.Sequence})
			return e.have + delta, false, nil
		case !isConflict(err):
			return 0, false, err
		}
		inv.conflicts.Add(1)
		cached = false
	}
	return 0, false, errors.New("stock update kept conflicting")
}

// read gets the item's stock from the bus and refreshes the cache with it.
func (inv *inventory) read(ctx context.Context, item string) (stockEntry, error) {
	inv.reads.Add(1)
	var e stockEntry
	err := inv.n.busCall(ctx, func(ctx context.Context) error {
		kve, err := inv.stock.Get(ctx, item)
		if err != nil {
			return err
		}
		have, err := strconv.ParseInt(string(kve.Value()), 10, 64)
		if err != nil {
			return fmt.Errorf("stock of %q is not a number: %w", item, err)
		}
		e = stockEntry{have: have, rev: kve.Revision()}
		return nil
	})
	if err == nil {
		inv.cache.put(item, e)
	}
	return e, err
}

// write sets the item's stock to have if its revision is still rev, with
// msgID as the message id (see inventory). It publishes to the bucket's
// subject itself because KeyValue.Update takes no message id.
func (inv *inventory) write(ctx context.Context, msgID, item string, have int64, rev uint64) (*jetstream.PubAck, error) {
	var ack *jetstream.PubAck
	err := inv.n.busCall(ctx, func(ctx context.Context) error {
		var err error
		ack, err = inv.n.js.Publish(ctx, "$KV."+bucketStock+"."+item, []byte(strconv.FormatInt(have, 10)),
			jetstream.WithExpectLastSequencePerSubject(rev), jetstream.WithMsgID(msgID))
		return err
	})
	return ack, err
}

// isConflict recognises a write that lost to another one: a stale
// revision, or the same order's write still in flight.
func isConflict(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) || errors.As(err, &apiErr) &&
		(apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant ||
			apiErr.ErrorCode == jsErrMsgIDInFlight)
}

func (inv *inventory) get(w http.ResponseWriter, r *http.Request) {
	item := r.PathValue("item")
	var val []byte
	err := inv.n.busCall(r.Context(), func(ctx context.Context) error {
		e, err := inv.stock.Get(ctx, item)
		if err == nil {
			val = e.Value()
		}
		return err
	})
	switch {
	case err == nil:
		n, _ := strconv.ParseInt(string(val), 10, 64)
		writeJSON(w, http.StatusOK, map[string]any{"item": item, "stock": n})
	case errors.Is(err, jetstream.ErrKeyNotFound):
		writeErr(w, http.StatusNotFound, "no item %q", item)
	default:
		writeErr(w, http.StatusServiceUnavailable, "stock store unavailable: %v", err)
	}
}
