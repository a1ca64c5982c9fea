package reference

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/nats-io/nats.go/jetstream"
)

// inventory keeps stock in the STOCK bucket and reserves it with
// compare-and-set. A reservation is keyed by order id, so a retried
// reserve never takes stock twice.
type inventory struct {
	n     *node
	stock jetstream.KeyValue
	resv  jetstream.KeyValue
}

// Reservation is the body of POST /reserve.
type Reservation struct {
	Order string `json:"order"`
	Item  string `json:"item"`
	Qty   int    `json:"qty"`
}

// errNoStock means the item has less stock than asked.
var errNoStock = errors.New("insufficient stock")

const casAttempts = 32 // CAS retries under contention before giving up

func runInventory(ctx context.Context, n *node) (http.Handler, error) {
	stock, err := waitFor(ctx, "open bucket "+bucketStock, func(ctx context.Context) (jetstream.KeyValue, error) { return n.js.KeyValue(ctx, bucketStock) })
	if err != nil {
		return nil, err
	}
	resv, err := waitFor(ctx, "open bucket "+bucketResv, func(ctx context.Context) (jetstream.KeyValue, error) { return n.js.KeyValue(ctx, bucketResv) })
	if err != nil {
		return nil, err
	}
	inv := &inventory{n: n, stock: stock, resv: resv}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /reserve", inv.reserve)
	mux.HandleFunc("GET /stock/{item}", inv.get)
	return mux, nil
}

func (inv *inventory) reserve(w http.ResponseWriter, r *http.Request) {
	var rq Reservation
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&rq); err != nil || rq.Order == "" || rq.Item == "" || rq.Qty < 1 {
		writeErr(w, http.StatusBadRequest, "body must be {\"order\":id,\"item\":id,\"qty\":n>=1}")
		return
	}
	err := inv.n.busCall(r.Context(), func(ctx context.Context) error {
		_, err := inv.resv.Create(ctx, rq.Order, []byte(rq.Item+" "+strconv.Itoa(rq.Qty)))
		return err
	})
	if errors.Is(err, jetstream.ErrKeyExists) {
		writeJSON(w, http.StatusOK, map[string]any{"reserved": true, "duplicate": true})
		return
	}
	if err != nil {
		writeErr(w, http.StatusServiceUnavailable, "reservation store unavailable: %v", err)
		return
	}
	left, err := inv.take(r.Context(), rq.Item, int64(rq.Qty))
	if err != nil {
		// Undo the reservation marker so that a retry takes the stock.
		inv.n.busCall(context.WithoutCancel(r.Context()), func(ctx context.Context) error { return inv.resv.Delete(ctx, rq.Order) })
		switch {
		case errors.Is(err, errNoStock):
			writeErr(w, http.StatusConflict, "%s: %v", rq.Item, err)
		case errors.Is(err, jetstream.ErrKeyNotFound):
			writeErr(w, http.StatusNotFound, "no item %q", rq.Item)
		default:
			writeErr(w, http.StatusServiceUnavailable, "stock store unavailable: %v", err)
		}
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"reserved": true, "left": left})
}

// take decrements the item's stock with compare-and-set.
func (inv *inventory) take(ctx context.Context, item string, qty int64) (int64, error) {
	for range casAttempts {
		var left int64
		err := inv.n.busCall(ctx, func(ctx context.Context) error {
			e, err := inv.stock.Get(ctx, item)
			if err != nil {
				return err
			}
			have, err := strconv.ParseInt(string(e.Value()), 10, 64)
			if err != nil {
				return err
			}
			if have < qty {
				return errNoStock
			}
			left = have - qty
			_, err = inv.stock.Update(ctx, item, []byte(strconv.FormatInt(left, 10)), e.Revision())
			return err
		})
		if err == nil {
			return left, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !isWrongSequence(err) {
			return 0, err
		}
	}
	return 0, errors.New("stock update kept conflicting")
}

// isWrongSequence recognises a lost compare-and-set.
func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
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
