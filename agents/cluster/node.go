package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/faultline/faultline/targets"
)

// ErrNoSuchNode is returned by Send for a node that is not a live member.
var ErrNoSuchNode = errors.New("no such live node")

// Node is one running cluster member: an agent or a coordinator.
type Node struct {
	cfg   Config
	meta  Meta
	ml    *memberlist.Memberlist
	ctl   []byte // control HMAC key
	guard *Guard
	epoch int64
	seq   atomic.Uint64
	left  atomic.Bool // Leave was called: no more resync

	mu   sync.Mutex
	live map[string]*memberlist.Node // copies, see events.store

	inbox   chan *Envelope
	changed chan struct{}
	stats   Stats
	done    chan struct{}
	once    sync.Once
}

// Stats counts control messages a node dropped, by reason.
type Stats struct {
	Forged, Malformed, Replayed, Stale, NotForMe, Overflow atomic.Uint64
}

// New starts a node: it binds, but joins nobody until Join. It refuses to
// start without a key, and refuses a bind or advertise address outside
// loopback unless a key file was given (the caller sets Key either way;
// see the cmd layer for generated keys).
func New(cfg *Config) (*Node, error) {
	if cfg == nil {
		return nil, errors.New("cluster: nil config")
	}
	c := *cfg
	if c.ID == "" {
		return nil, errors.New("cluster: node id is empty")
	}
	if len(c.Key) == 0 {
		return nil, ErrNoKey
	}
	if err := memberlist.ValidateKey(c.Key); err != nil {
		return nil, fmt.Errorf("cluster: gossip key: %w", err)
	}
	if c.InboxSize <= 0 {
		c.InboxSize = DefaultInboxSize
	}
	ctl, err := controlKey(c.Key)
	if err != nil {
		return nil, err
	}
	kr, err := memberlist.NewKeyring(nil, c.Key)
	if err != nil {
		return nil, fmt.Errorf("cluster: keyring: %w", err)
	}
	n := &Node{
		cfg:     c,
		ctl:     ctl,
		guard:   NewGuard(c.ID, c.MaxMessageAge),
		epoch:   time.Now().UnixNano(),
		live:    map[string]*memberlist.Node{},
		inbox:   make(chan *Envelope, c.InboxSize),
		changed: make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	n.meta = Meta{Role: c.Role, ID: c.ID, Version: c.Version, Labels: c.Labels, Capacity: c.Capacity}
	if _, err := n.meta.Encode(); err != nil {
		return nil, err
	}
	mc := c.memberlistConfig()
	mc.Keyring = kr
	mc.Delegate = (*delegate)(n)
	mc.Events = (*events)(n)
	ml, err := memberlist.Create(mc)
	if err != nil {
		return nil, fmt.Errorf("cluster: start memberlist on %s:%d: %w", c.BindAddr, c.BindPort, err)
	}
	n.ml = ml
	// The control address is only known once memberlist has bound.
	self := ml.LocalNode()
	n.meta.Control = net.JoinHostPort(self.Addr.String(), strconv.Itoa(int(self.Port)))
	if err := ml.UpdateNode(time.Second); err != nil {
		_ = ml.Shutdown()
		return nil, fmt.Errorf("cluster: publish metadata: %w", err)
	}
	return n, nil
}

// CheckBind refuses to gossip on a non-loopback address with a key nobody
// else was given: without --key-file such a cluster would either be
// unreachable or invite anyone on the network. hasKeyFile says whether the
// key came from a file the operator distributes.
func CheckBind(bind, advertise string, hasKeyFile bool) error {
	if hasKeyFile {
		return nil
	}
	for _, a := range []string{bind, advertise} {
		if a != "" && !targets.IsLoopback(a) {
			return fmt.Errorf("refusing to bind or advertise %s without --key-file: gossip off loopback needs a shared key (create one with `faultline agent --gen-key FILE`)", a)
		}
	}
	return nil
}

// ID returns the node's id.
func (n *Node) ID() string { return n.cfg.ID }

// Meta returns the metadata this node gossips.
func (n *Node) Meta() Meta { return n.meta }

// Addr returns the address other nodes join through (host:port).
func (n *Node) Addr() string { return n.meta.Control }

// Join contacts the given nodes (host:port) and merges their view of the
// cluster. It returns how many it reached.
// A failed attempt (all addresses unreachable) is retried a few times: the
// nodes may be starting at the same moment.
func (n *Node) Join(addrs []string) (int, error) {
	var err error
	for try := 0; try < joinTries; try++ {
		if try > 0 {
			time.Sleep(time.Duration(try) * 200 * time.Millisecond)
		}
		var k int
		if k, err = n.ml.Join(addrs); k > 0 {
			go n.resync(addrs)
			return k, nil
		}
	}
	return 0, fmt.Errorf("cluster: join %v: %w (are they running, and is the key the same on every node?)", addrs, err)
}

// resyncAfter is how long after its join a node exchanges full state once
// more (see resync): long enough for the news of nodes that joined at the
// same moment to reach every member (0.3-0.7 s measured in settled
// simulated clusters of 100 to 500), short against memberlist's own repair.
const resyncAfter = 2 * time.Second

// resync closes a gap a join leaves. A join copies one member's view of the
// cluster; a node joining at the same moment elsewhere may not be in it
// yet, and the news of that node, gossiped meanwhile, only goes to the
// members its senders already knew: rarely the newcomer. memberlist repairs
// that at its periodic full-state exchange, which the local profile spaces
// 15 s apart, scaled to 75-90 s at 400-1,000 nodes. One more exchange, with
// a random member once the news has spread, repairs it in seconds, at the
// cost of one more state transfer per join.
func (n *Node) resync(seeds []string) {
	t := time.NewTimer(resyncAfter)
	defer t.Stop()
	select {
	case <-n.done:
		return
	case <-t.C:
	}
	if n.left.Load() {
		return // an exchange now would only spread its departure again
	}
	if p := n.randomPeer(); p != "" {
		seeds = []string{p}
	}
	_, _ = n.ml.Join(seeds) // a failure leaves it to memberlist's own repair
}

// randomPeer is the address of a random live member other than n, or ""
// when n knows none.
func (n *Node) randomPeer() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	for id, m := range n.live { // map order is random enough to spread the load
		if id != n.cfg.ID {
			return m.Address()
		}
	}
	return ""
}

// joinTries is how many times Join tries before giving up (about 2 s).
const joinTries = 4

// Inbox delivers authenticated, fresh, first-seen control messages for this
// node. Everything else is dropped and counted in Stats.
func (n *Node) Inbox() <-chan *Envelope { return n.inbox }

// Changed is signalled (coalesced) whenever membership or metadata changes.
func (n *Node) Changed() <-chan struct{} { return n.changed }

// Stats returns the counters of dropped messages.
func (n *Node) Stats() *Stats { return &n.stats }

// Done is closed when the node has shut down.
func (n *Node) Done() <-chan struct{} { return n.done }

// Send seals body into an envelope and delivers it reliably (over a
// memberlist stream) to the live node id.
func (n *Node) Send(to, kind, runID string, body any) error {
	target := n.find(to)
	if target == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchNode, to)
	}
	b, err := n.seal(to, kind, runID, body)
	if err != nil {
		return err
	}
	if err := n.ml.SendReliable(target, b); err != nil {
		return fmt.Errorf("cluster: send %s to %s: %w", kind, to, err)
	}
	return nil
}

func (n *Node) seal(to, kind, runID string, body any) ([]byte, error) {
	var raw json.RawMessage
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("cluster: encode %s body: %w", kind, err)
		}
		raw = b
	}
	e := &Envelope{Kind: kind, RunID: runID, From: n.cfg.ID, To: to, Epoch: n.epoch, Seq: n.seq.Add(1), Sent: time.Now(), Body: raw}
	return Seal(n.ctl, e)
}

func (n *Node) find(id string) *memberlist.Node {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.live[id]
}

// Leave announces departure and waits up to timeout for it to spread.
func (n *Node) Leave(timeout time.Duration) error {
	n.left.Store(true)
	return n.ml.Leave(timeout)
}

// Shutdown stops the node without a goodbye (others will detect it).
func (n *Node) Shutdown() error {
	err := n.ml.Shutdown()
	n.once.Do(func() { close(n.done) })
	return err
}

// NumMembers is how many live nodes this node knows, itself included.
func (n *Node) NumMembers() int { return n.ml.NumMembers() }
