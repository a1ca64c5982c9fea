package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// MemNetwork is an in-memory network for memberlist: every transport made
// from it reaches the others by address or name, without sockets. Unlike
// memberlist's MockNetwork it is safe to grow while nodes run, packets are
// dropped (as UDP would) instead of blocking when a node is slow, and a
// node can be cut off to simulate a crash. It is meant for tests and
// benchmarks with up to thousands of nodes in one process.
type MemNetwork struct {
	mu     sync.RWMutex
	byAddr map[string]*MemTransport
	byName map[string]*MemTransport
	port   int

	// Tap, when set before nodes start, gets the raw bytes of every stream
	// (reliable message) one node sent another, once the sender closes it,
	// as an eavesdropper on the wire would see them: still encrypted by
	// memberlist. Tests use it to capture and replay traffic (see Replay).
	Tap func(from, to string, b []byte)

	packets, dropped, bytes, streams atomic.Uint64
}

// MemStats counts what a MemNetwork carried since it was made. Dropped
// packets are the ones a full queue discarded (a receiver too slow to
// keep up, as with an overflowing UDP socket buffer); packets to a cut
// node are not counted at all.
type MemStats struct {
	Packets, Bytes, Dropped, Streams uint64
}

// Stats returns the network's counters.
func (n *MemNetwork) Stats() MemStats {
	return MemStats{
		Packets: n.packets.Load(),
		Bytes:   n.bytes.Load(),
		Dropped: n.dropped.Load(),
		Streams: n.streams.Load(),
	}
}

// MemTransport is one node's attachment to a MemNetwork.
type MemTransport struct {
	net     *MemNetwork
	name    string
	addr    *net.UDPAddr
	packets chan *memberlist.Packet
	streams chan net.Conn

	mu   sync.RWMutex
	down bool
}

var _ memberlist.NodeAwareTransport = (*MemTransport)(nil)

// errUnreachable is what a dial or send to a missing or cut node returns.
var errUnreachable = errors.New("memnet: no route to node")

// memQueue is how many packets a node may have pending; more are dropped,
// which memberlist tolerates as it tolerates UDP loss.
const memQueue = 512

// NewTransport attaches a node named name and gives it a unique loopback
// address (127.0.0.1 with a fresh port).
func (n *MemNetwork) NewTransport(name string) *MemTransport {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.byAddr == nil {
		n.byAddr = map[string]*MemTransport{}
		n.byName = map[string]*MemTransport{}
		n.port = 10000
	}
	n.port++
	t := &MemTransport{
		net:     n,
		name:    name,
		addr:    &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: n.port},
		packets: make(chan *memberlist.Packet, memQueue),
		streams: make(chan net.Conn),
	}
	n.byAddr[t.addr.String()] = t
	n.byName[name] = t
	return t
}

// Cut detaches the named node as a crash would: packets to it vanish and
// dials fail, and it can no longer send.
func (n *MemNetwork) Cut(name string) {
	n.mu.RLock()
	t := n.byName[name]
	n.mu.RUnlock()
	if t != nil {
		t.mu.Lock()
		t.down = true
		t.mu.Unlock()
	}
}

// Addr returns the transport's address (host:port).
func (t *MemTransport) Addr() string { return t.addr.String() }

func (t *MemTransport) isDown() bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.down
}

func (t *MemTransport) peer(a memberlist.Address) (*MemTransport, error) {
	if t.isDown() {
		return nil, errUnreachable
	}
	t.net.mu.RLock()
	var p *MemTransport
	if a.Name != "" {
		p = t.net.byName[a.Name]
	}
	if p == nil {
		p = t.net.byAddr[a.Addr]
	}
	t.net.mu.RUnlock()
	if p == nil || p.isDown() {
		return nil, fmt.Errorf("%w: %s", errUnreachable, a.Addr)
	}
	return p, nil
}

// FinalAdvertiseAddr implements memberlist.Transport.
func (t *MemTransport) FinalAdvertiseAddr(string, int) (net.IP, int, error) {
	return t.addr.IP, t.addr.Port, nil
}

// WriteTo implements memberlist.Transport.
func (t *MemTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	return t.WriteToAddress(b, memberlist.Address{Addr: addr})
}

// WriteToAddress implements memberlist.NodeAwareTransport. Like UDP, a
// packet to a full queue or a cut node is lost without an error.
func (t *MemTransport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	now := time.Now()
	p, err := t.peer(a)
	if err != nil {
		return now, nil
	}
	buf := append([]byte(nil), b...)
	select {
	case p.packets <- &memberlist.Packet{Buf: buf, From: t.addr, Timestamp: now}:
		t.net.packets.Add(1)
		t.net.bytes.Add(uint64(len(buf)))
	default:
		t.net.dropped.Add(1)
	}
	return now, nil
}

// PacketCh implements memberlist.Transport.
func (t *MemTransport) PacketCh() <-chan *memberlist.Packet { return t.packets }

// DialTimeout implements memberlist.Transport.
func (t *MemTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

// DialAddressTimeout implements memberlist.NodeAwareTransport with a
// synchronous in-memory pipe.
func (t *MemTransport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	p, err := t.peer(a)
	if err != nil {
		return nil, err
	}
	local, remote := net.Pipe()
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	tm := time.NewTimer(timeout)
	defer tm.Stop()
	select {
	case p.streams <- &memConn{Conn: remote, local: p.addr, remote: t.addr}:
		t.net.streams.Add(1)
		c := &memConn{Conn: local, local: t.addr, remote: p.addr}
		if tap := t.net.Tap; tap != nil {
			c.tap = func(b []byte) { tap(t.name, p.name, b) }
			c.rec = &bytes.Buffer{}
		}
		return c, nil
	case <-tm.C:
		local.Close()
		remote.Close()
		return nil, fmt.Errorf("memnet: dial %s: timeout", a.Addr)
	}
}

// StreamCh implements memberlist.Transport.
func (t *MemTransport) StreamCh() <-chan net.Conn { return t.streams }

// Shutdown implements memberlist.Transport: the node is cut off.
func (t *MemTransport) Shutdown() error {
	t.mu.Lock()
	t.down = true
	t.mu.Unlock()
	return nil
}

// memConn gives a pipe end real-looking addresses: memberlist logs and
// checks them.
type memConn struct {
	net.Conn
	local, remote net.Addr
	tap           func([]byte)
	mu            sync.Mutex
	rec           *bytes.Buffer // what was written, for tap
}

// Write records what is written when tapped.
func (c *memConn) Write(b []byte) (int, error) {
	if c.rec != nil {
		c.mu.Lock()
		c.rec.Write(b)
		c.mu.Unlock()
	}
	return c.Conn.Write(b)
}

// Close hands the whole stream to the tap.
func (c *memConn) Close() error {
	if c.rec != nil {
		c.mu.Lock()
		b, tap := c.rec.Bytes(), c.tap
		c.rec, c.tap = nil, nil
		c.mu.Unlock()
		if tap != nil && len(b) > 0 {
			tap(b)
		}
	}
	return c.Conn.Close()
}

// Replay opens a stream to the node named to, as if from a node that is
// not in the cluster, and writes b: a captured message sent again.
func (n *MemNetwork) Replay(to string, b []byte) error {
	n.mu.RLock()
	p := n.byName[to]
	n.mu.RUnlock()
	if p == nil || p.isDown() {
		return fmt.Errorf("%w: %s", errUnreachable, to)
	}
	local, remote := net.Pipe()
	from := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
	select {
	case p.streams <- &memConn{Conn: remote, local: p.addr, remote: from}:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("memnet: replay to %s: timeout", to)
	}
	defer local.Close()
	_ = local.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := local.Write(b)
	return err
}

func (c *memConn) LocalAddr() net.Addr  { return c.local }
func (c *memConn) RemoteAddr() net.Addr { return c.remote }
