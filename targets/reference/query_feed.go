package reference

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The query feed replaces nats.go's ordered consumer, whose reset sends
// its consumer-create request with a fixed 10 s timeout (into a partition,
// if there is one) and then backs off from 1 s: after a heal the read
// model stayed stale for about 10 s. Here every request is short and the
// retry is prompt but bounded.
//
// The projection is fed by feedLanes consumers at once, each an R1
// consumer placed on a different bus node when JetStream allows. One
// consumer was a single point of failure: killing the node that held it
// left the read model stale until a new one could be created, and that
// waits for JetStream's meta leader; when the killed node was the meta
// leader too, query stayed 4-7 s behind (whitepaper game day, kill-bus).
// With a second lane on another node, the survivor keeps projecting
// while the lost lane is replaced. project drops what one lane delivers
// after the other, so two lanes cost one extra delivery per event.
//
//	ORDERS ─▶ consumer on bus-a ─▶ lane 1 ─┐
//	                                      ├─▶ project (by stream sequence, once)
//	ORDERS ─▶ consumer on bus-b ─▶ lane 2 ─┘
const (
	// feedLanes is how many consumers feed the projection at once.
	feedLanes = 2
	// feedPlacementTries bounds the creates a lane makes to get a consumer
	// off the nodes the other lanes use (placement is random among the
	// stream's live peers: each try lands apart with odds 2/3 on R3).
	feedPlacementTries = 4
	// feedRequestTimeout bounds a consumer create or delete request.
	feedRequestTimeout = time.Second
	// feedExpiry is how long one pull request waits on the server.
	feedExpiry = 2 * time.Second
	// feedHeartbeat is the server's idle heartbeat on a pending pull: two
	// missed ones (1 s) and the pull is given up as dead.
	feedHeartbeat = 500 * time.Millisecond
	// feedBatch is the most messages one pull asks for.
	feedBatch = 256
	// feedBackoffMin and feedBackoffMax bound the wait between attempts
	// after a failure: doubling, jittered, at most about one attempt a
	// second while the bus is unreachable.
	feedBackoffMin = 100 * time.Millisecond
	feedBackoffMax = time.Second
	// feedInactive lets the server delete a consumer this instance
	// abandoned without being able to delete it (partitioned, killed).
	feedInactive = 15 * time.Second
)

// feedConsumer is one consumer of the feed and the consumer sequence last
// delivered by it, to notice a message lost on the way (a gap).
type feedConsumer struct {
	c         jetstream.Consumer
	name      string
	server    string // the bus node that holds this R1 consumer
	delivered uint64
}

// errFeedGap reports a message missing between two deliveries.
var errFeedGap = errors.New("consumer sequence gap")

// startFeed runs every lane until ctx ends, the first starting with
// first.
func (q *query) startFeed(ctx context.Context, first *feedConsumer) {
	var kicks [feedLanes]chan struct{}
	for lane := range feedLanes {
		kicks[lane] = make(chan struct{}, 1)
		var fc *feedConsumer
		if lane == 0 {
			fc = first
		}
		go q.follow(ctx, lane, fc, kicks[lane])
	}
	go q.kickOnReconnect(ctx, kicks[:])
}

// kickOnReconnect ends the lanes' backoff as soon as the bus connection
// is back (after a partition heals, say): a lane waiting out up to
// feedBackoffMax would leave the read model stale that much longer.
func (q *query) kickOnReconnect(ctx context.Context, kicks []chan struct{}) {
	ch := q.n.nc.StatusChanged(nats.CONNECTED)
	defer q.n.nc.RemoveStatusListener(ch)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ch:
			for _, k := range kicks {
				select {
				case k <- struct{}{}:
				default: // a kick is already pending
				}
			}
		}
	}
}

// newLaneConsumer creates lane's consumer, on a node no other lane uses
// if feedPlacementTries allow; a consumer that landed next to another
// lane's is deleted and tried again. The last try is kept wherever it is:
// a shared node is a weaker feed, not a broken one. Lanes place one at a
// time: two lanes replaced at once (both cut off by a partition, then
// kicked by the reconnect) each saw no other lane's node and could
// share one.
func (q *query) newLaneConsumer(ctx context.Context, lane int) (*feedConsumer, error) {
	q.placing.Lock()
	defer q.placing.Unlock()
	for try := 1; ; try++ {
		fc, err := q.newConsumer(ctx)
		if err != nil {
			return nil, err
		}
		others := q.laneServers(lane)
		if try == feedPlacementTries || fc.server == "" || !slices.Contains(others, fc.server) {
			q.setLaneServer(lane, fc.server)
			return fc, nil
		}
		q.dropConsumer(fc.name)
	}
}

// laneServers lists the nodes the lanes other than lane use.
func (q *query) laneServers(lane int) []string {
	q.mu.RLock()
	defer q.mu.RUnlock()
	var out []string
	for i, s := range q.lanes {
		if i != lane && s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (q *query) setLaneServer(lane int, server string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.lanes[lane] = server
}

// newConsumer creates an ephemeral, in-memory R1 consumer of ORDERS that
// starts right after the last projected sequence. AckNone: the projection
// keeps its own position, and a lost consumer is simply replaced.
func (q *query) newConsumer(ctx context.Context) (*feedConsumer, error) {
	ctx, cancel := context.WithTimeout(ctx, feedRequestTimeout)
	defer cancel()
	c, err := q.n.js.CreateConsumer(ctx, streamOrders, jetstream.ConsumerConfig{
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       q.next(),
		AckPolicy:         jetstream.AckNonePolicy,
		FilterSubject:     subjectPlaced + ">",
		InactiveThreshold: feedInactive,
		Replicas:          1,
		MemoryStorage:     true,
	})
	if err != nil {
		return nil, fmt.Errorf("create consumer on %s: %w", streamOrders, err)
	}
	q.consumers.Add(1)
	info := c.CachedInfo()
	fc := &feedConsumer{c: c, name: info.Name}
	if info.Cluster != nil {
		fc.server = info.Cluster.Leader
	}
	return fc, nil
}

// follow runs one lane: it pulls from fc and projects until ctx ends. A
// failed pull (no heartbeat, consumer gone, gap) replaces the consumer;
// failures in a row wait a jittered, doubling backoff capped at
// feedBackoffMax, cut short by a kick (the bus connection is back).
func (q *query) follow(ctx context.Context, lane int, fc *feedConsumer, kick <-chan struct{}) {
	backoff := feedBackoffMin
	var lostAt time.Time
	var attempts int
	var lastErr error
	for ctx.Err() == nil {
		var err error
		if fc == nil {
			attempts++
			fc, err = q.newLaneConsumer(ctx, lane)
		}
		if err == nil {
			err = q.pull(fc)
		}
		if err == nil {
			if !lostAt.IsZero() {
				q.n.log.Printf("projection: lane %d resumed at seq %d, consumer on %s, %s after it was lost (%d attempts, last error: %v)",
					lane, q.next(), fc.server, time.Since(lostAt).Round(time.Millisecond), attempts, lastErr)
				lostAt, attempts = time.Time{}, 0
			}
			backoff = feedBackoffMin
			continue
		}
		lastErr = err
		if lostAt.IsZero() {
			lostAt = time.Now()
			where := "none"
			if fc != nil {
				where = fc.server
			}
			q.n.log.Printf("projection: lane %d lost at seq %d (consumer on %s): %v", lane, q.next(), where, err)
		}
		if fc != nil {
			q.setLaneServer(lane, "")
			q.dropConsumer(fc.name)
			fc = nil
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		backoff = min(2*backoff, feedBackoffMax)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		case <-kick:
			backoff = feedBackoffMin
		}
	}
	if fc != nil {
		q.dropConsumer(fc.name)
	}
}

// pull runs one pull request to its end, projecting what it delivers in
// order. It returns nil when the request ended normally (expired or
// full), and an error when the feed must be replaced.
func (q *query) pull(fc *feedConsumer) error {
	batch, err := fc.c.Fetch(feedBatch, jetstream.FetchMaxWait(feedExpiry), jetstream.FetchHeartbeat(feedHeartbeat))
	if err != nil {
		return err
	}
	for msg := range batch.Messages() {
		md, err := msg.Metadata()
		if err != nil {
			return err
		}
		if md.Sequence.Consumer != fc.delivered+1 {
			if err := q.fill(md.Sequence.Stream); err != nil {
				return fmt.Errorf("%w on %s: %d after %d, not filled: %v", errFeedGap, fc.name, md.Sequence.Consumer, fc.delivered, err)
			}
		}
		fc.delivered = md.Sequence.Consumer
		q.project(md.Sequence.Stream, msg.Data())
	}
	return batch.Error()
}

// fill projects what the projection misses below stream sequence upTo,
// read straight from the stream. A gap is a delivery lost on the way (the
// bus node this instance was connected to died under it): the consumer
// itself is fine, and replacing it would wait for JetStream's meta leader,
// which may have died too. Direct gets are served by any replica. A gap
// wider than feedBatch is left to a new consumer.
func (q *query) fill(upTo uint64) error {
	from := q.next()
	if upTo > from+feedBatch {
		return fmt.Errorf("%d messages missing", upTo-from)
	}
	for seq := from; seq < upTo; seq++ {
		ctx, cancel := context.WithTimeout(context.Background(), feedRequestTimeout)
		m, err := q.stream.GetMsg(ctx, seq)
		cancel()
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound):
			// Deleted from the stream: nothing to project.
		case err != nil:
			return fmt.Errorf("get %s sequence %d: %w", streamOrders, seq, err)
		default:
			q.project(m.Sequence, m.Data)
		}
	}
	return nil
}

// dropConsumer deletes an abandoned consumer in the background, bounded by
// feedRequestTimeout; if the bus is unreachable, feedInactive cleans up.
// At most one runs per replacement, so they cannot pile up.
func (q *query) dropConsumer(name string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), feedRequestTimeout)
		defer cancel()
		_ = q.n.js.DeleteConsumer(ctx, streamOrders, name)
	}()
}
