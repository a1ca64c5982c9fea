package reference

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// testOrders is an orders instance on js whose inventory is a real
// inventory handler over HTTP on the same bus. ORDERS captures subjects
// (the real stream takes subjectPlaced + ">").
func testOrders(t *testing.T, js jetstream.JetStream, subjects string) (*orders, *inventory) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: streamOrders, Subjects: []string{subjects}, AllowDirect: true})
	if err != nil {
		t.Fatal(err)
	}
	inv := testInventory(t, js)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /reserve", inv.reserve)
	mux.HandleFunc("POST /release", inv.release)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	o := opts(func(*Options) {})
	n := &node{o: o, nc: js.Conn(), js: js, log: log.New(io.Discard, "", 0)}
	inst := &orders{n: n, stream: stream, inv: newDepClient("inventory", []member{{id: "inventory-1", base: srv.URL}}, o, o.CallTimeout, 1)}
	return inst, inv
}

func postOrder(o *orders, item string, qty int) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	body := fmt.Sprintf(`{"item":%q,"qty":%d}`, item, qty)
	o.create(w, httptest.NewRequest(http.MethodPost, "/orders", strings.NewReader(body)))
	return w
}

// An order whose stock was reserved but whose OrderPlaced could not be
// appended answers 503 and gives its stock back.
func TestOrderNotPlacedReleasesStock(t *testing.T) {
	js := testBus(t)
	o, inv := testOrders(t, js, "elsewhere.>") // the append finds no stream
	setStock(t, inv.stock, "item-f", 50)
	if w := postOrder(o, "item-f", 3); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("order with no stream to append to: %d %s, want 503", w.Code, w.Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for o.released.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if o.released.Load() != 1 || o.unreleased.Load() != 0 {
		t.Fatalf("released %d, unreleased %d; want 1 and 0", o.released.Load(), o.unreleased.Load())
	}
	if got := stockNow(t, inv.stock, "item-f"); got != 50 {
		t.Errorf("stock after a failed order = %d, want 50 (reserved 3, given back)", got)
	}
	if inv.reserves.Load() != 1 || inv.releases.Load() != 1 {
		t.Errorf("inventory saw %d reserves and %d releases, want 1 and 1", inv.reserves.Load(), inv.releases.Load())
	}
}

// A placed order keeps its stock and releases nothing.
func TestOrderPlacedKeepsStock(t *testing.T) {
	js := testBus(t)
	o, inv := testOrders(t, js, subjectPlaced+">")
	setStock(t, inv.stock, "item-p", 50)
	if w := postOrder(o, "item-p", 3); w.Code != http.StatusCreated {
		t.Fatalf("order: %d %s, want 201", w.Code, w.Body)
	}
	if got := stockNow(t, inv.stock, "item-p"); got != 47 || o.released.Load() != 0 || inv.releases.Load() != 0 {
		t.Errorf("stock %d, released %d, releases asked %d; want 47, 0, 0", got, o.released.Load(), inv.releases.Load())
	}
}

// An append whose ack was lost is found on the stream: the order stands.
func TestPlacedSeqFindsAnAppendedOrder(t *testing.T) {
	js := testBus(t)
	o, _ := testOrders(t, js, subjectPlaced+">")
	ack, err := js.Publish(context.Background(), subjectPlaced+"o-1", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := o.placedSeq(context.Background(), "o-1"); got != ack.Sequence {
		t.Errorf("placedSeq of an appended order = %d, want %d", got, ack.Sequence)
	}
	if got := o.placedSeq(context.Background(), "o-2"); got != 0 {
		t.Errorf("placedSeq of an order never appended = %d, want 0", got)
	}
}
