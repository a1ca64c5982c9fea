package reference

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The query feed replaces nats.go's ordered consumer, whose reset sends
// its consumer-create request with a fixed 10 s timeout (into a partition,
// if there is one) and then backs off from 1 s: after a heal the read
// model stayed stale for about 10 s. Here every request is short and the
// retry is prompt but bounded.
const (
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
	delivered uint64
}

// errFeedGap reports a message missing between two deliveries.
var errFeedGap = errors.New("consumer sequence gap")

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
	return &feedConsumer{c: c, name: c.CachedInfo().Name}, nil
}

// follow pulls from fc and projects until ctx ends. A failed pull (no
// heartbeat, consumer gone, gap) replaces the consumer; failures in a row
// wait a jittered, doubling backoff capped at feedBackoffMax.
func (q *query) follow(ctx context.Context, fc *feedConsumer) {
	backoff := feedBackoffMin
	var lostAt time.Time
	var attempts int
	for ctx.Err() == nil {
		var err error
		if fc == nil {
			attempts++
			fc, err = q.newConsumer(ctx)
		}
		if err == nil {
			err = q.pull(fc)
		}
		if err == nil {
			if !lostAt.IsZero() {
				q.n.log.Printf("projection: feed resumed at seq %d, %s after it was lost (%d attempts)", q.next(), time.Since(lostAt).Round(time.Millisecond), attempts)
				lostAt, attempts = time.Time{}, 0
			}
			backoff = feedBackoffMin
			continue
		}
		if lostAt.IsZero() {
			lostAt = time.Now()
			q.n.log.Printf("projection: feed lost at seq %d: %v", q.next(), err)
		}
		if fc != nil {
			q.dropConsumer(fc.name)
			fc = nil
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		backoff = min(2*backoff, feedBackoffMax)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
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
			return fmt.Errorf("%w on %s: %d after %d", errFeedGap, fc.name, md.Sequence.Consumer, fc.delivered)
		}
		fc.delivered = md.Sequence.Consumer
		q.project(md.Sequence.Stream, msg.Data())
	}
	return batch.Error()
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
