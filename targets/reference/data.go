package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The data the topology keeps on the bus, all replicated on three buses.
const (
	streamOrders     = "ORDERS"         // event store: one OrderPlaced per order
	subjectPlaced    = "orders.placed." // + order id
	bucketCatalog    = "CATALOG"        // item id -> Item JSON
	bucketStock      = "STOCK"          // item id -> decimal stock; each write's message id is its order id
	consumerNotify   = "notify"         // notify's durable work-queue consumer
	dataReplicas     = 3
	bootstrapTimeout = 30 * time.Second
)

// Item is a catalog entry.
type Item struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Price int    `json:"price_cents"`
}

// OrderPlaced is the event orders appends to ORDERS.
type OrderPlaced struct {
	ID     string    `json:"id"`
	Item   string    `json:"item"`
	Qty    int       `json:"qty"`
	At     time.Time `json:"at"`
	Trace  string    `json:"trace,omitempty"`
	Placed string    `json:"placed_by"`
}

func itemID(i int) string { return "item-" + strconv.Itoa(i) }

// bootstrap creates the stream and buckets (idempotently) and seeds items
// and stock that do not exist yet, so a restarted topology keeps its data.
func bootstrap(ctx context.Context, js jetstream.JetStream, o Options) error {
	ctx, cancel := context.WithTimeout(ctx, bootstrapTimeout)
	defer cancel()
	_, err := retry(ctx, func(ctx context.Context) (jetstream.Stream, error) {
		return js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name: streamOrders, Subjects: []string{subjectPlaced + ">"}, Replicas: dataReplicas,
			Storage: jetstream.FileStorage, AllowDirect: true, Duplicates: 2 * time.Minute,
		})
	})
	if err != nil {
		return fmt.Errorf("create stream %s: %w", streamOrders, err)
	}
	kvs := map[string]jetstream.KeyValue{}
	for _, b := range []string{bucketCatalog, bucketStock} {
		kv, err := retry(ctx, func(ctx context.Context) (jetstream.KeyValue, error) {
			return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: b, Replicas: dataReplicas, Storage: jetstream.FileStorage})
		})
		if err != nil {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
		kvs[b] = kv
	}
	for i := range o.Items {
		id := itemID(i)
		item, _ := json.Marshal(Item{ID: id, Name: "Item " + strconv.Itoa(i), Price: 100 + i})
		if err := createOnce(ctx, kvs[bucketCatalog], id, item); err != nil {
			return err
		}
		if err := createOnce(ctx, kvs[bucketStock], id, []byte(strconv.FormatInt(o.Stock, 10))); err != nil {
			return err
		}
	}
	return nil
}

func createOnce(ctx context.Context, kv jetstream.KeyValue, key string, val []byte) error {
	_, err := retry(ctx, func(ctx context.Context) (uint64, error) {
		rev, err := kv.Create(ctx, key, val)
		if errors.Is(err, jetstream.ErrKeyExists) {
			return 0, nil
		}
		return rev, err
	})
	if err != nil {
		return fmt.Errorf("seed %s/%s: %w", kv.Bucket(), key, err)
	}
	return nil
}

// retry calls fn until it succeeds or ctx ends: right after start-up the
// JetStream meta leader may still be being elected.
func retry[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		v, err := fn(actx)
		cancel()
		if err == nil {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// busOptions are the NATS client options of every instance: discovered
// servers are ignored (they would bypass the links), and a dead link is
// noticed within about three seconds.
func busOptions(name string) []nats.Option {
	return []nats.Option{
		nats.Name(name),
		nats.IgnoreDiscoveredServers(),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(200 * time.Millisecond),
		nats.ReconnectJitter(100*time.Millisecond, 100*time.Millisecond),
		nats.PingInterval(time.Second),
		nats.MaxPingsOutstanding(2),
		nats.Timeout(time.Second),
		nats.RetryOnFailedConnect(true),
	}
}
