package proxy

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"
)

// link is one accepted client connection and its upstream connection,
// with one pump per direction.
type link struct {
	p         *Proxy
	client    *net.TCPConn
	upstream  *net.TCPConn
	closed    chan struct{}
	closeOnce sync.Once

	rngMu sync.Mutex
	rng   *rand.Rand // seeds stages and decides toxicity, per link

	wmu   [2]sync.Mutex // write locks: [0] client, [1] upstream
	pumps [2]*pump
}

func newLink(p *Proxy, client, upstream *net.TCPConn, seed uint64) *link {
	l := &link{p: p, client: client, upstream: upstream, closed: make(chan struct{}),
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	l.pumps[Upstream] = &pump{l: l, dir: Upstream, src: client, dst: upstream, notify: make(chan struct{}, 1)}
	l.pumps[Downstream] = &pump{l: l, dir: Downstream, src: upstream, dst: client, notify: make(chan struct{}, 1)}
	return l
}

// run pumps both directions until the link ends.
func (l *link) run() {
	var wg sync.WaitGroup
	for _, pm := range l.pumps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pm.run()
		}()
	}
	wg.Wait()
	l.close(false)
}

// close ends the link; reset makes both peers see a RST.
func (l *link) close(reset bool) {
	l.closeOnce.Do(func() {
		if reset {
			_ = l.client.SetLinger(0)
			_ = l.upstream.SetLinger(0)
		}
		close(l.closed)
		_ = l.client.Close()
		_ = l.upstream.Close()
	})
}

// changed tells both pumps the toxic chain changed, and returns a channel
// for each pump it kicked off the fast path.
func (l *link) changed() []<-chan struct{} {
	var kicked []<-chan struct{}
	for _, pm := range l.pumps {
		if k := pm.poke(); k != nil {
			kicked = append(kicked, k)
		}
	}
	return kicked
}

func (l *link) seed() (uint64, float64) {
	l.rngMu.Lock()
	defer l.rngMu.Unlock()
	return l.rng.Uint64(), l.rng.Float64()
}

// write sends b to the client (to=0) or upstream (to=1) under its lock, so
// a stage's reply never interleaves with a pump's write.
func (l *link) write(to int, b []byte) error {
	c := l.client
	if to == 1 {
		c = l.upstream
	}
	l.wmu[to].Lock()
	defer l.wmu[to].Unlock()
	_, err := c.Write(b)
	return err
}

// pump moves one direction's bytes: fast path (splice) while the
// direction has no toxic, the chunk pipeline otherwise, and back to the
// fast path once its toxics are gone.
type pump struct {
	l        *link
	dir      Direction
	src, dst *net.TCPConn
	notify   chan struct{}

	mu      sync.Mutex
	fast    bool
	kicked  bool
	left    chan struct{} // closed when the current fast-path copy returns
	parking bool          // the processor asked the reader to stop at a read deadline

	// Written by the reader before it closes its channel, read by the
	// processor after: whether it stopped because of parking.
	parked bool

	// Owned by the processor goroutine.
	version   uint64
	slots     map[*toxicRec]*slot
	lingering []Stage // stages of removed toxics still holding part of a message
	fn        func(Chunk) error
}

// slot is one toxic's state on this pump: whether it applies to this link
// (toxicity, decided once) and its stage.
type slot struct {
	stage Stage // nil: not applied to this link
}

// holder is a stage that keeps part of a message between chunks (the
// HTTP splitter's partial request). When its toxic is removed it stays in
// the chain until the message is through, so that no byte is lost,
// reordered or half-treated.
type holder interface {
	Holding() bool
}

func holding(st Stage) bool {
	h, ok := st.(holder)
	return ok && h.Holding()
}

func (pm *pump) dstIndex() int {
	if pm.dir == Upstream {
		return 1
	}
	return 0
}

// needsSlow reports whether this direction must go through the chunk
// pipeline: it has toxics, or the other direction has a toxic that replies
// on this direction's destination (http_abort), whose writes must take the
// destination's write lock, which splice does not.
func (pm *pump) needsSlow() bool {
	return len(pm.l.p.chain(pm.dir).toxics) > 0 || pm.l.p.chain(1-pm.dir).replies
}

// poke wakes the processor, or kicks the fast path out of splice when the
// direction now needs the pipeline; then it returns a channel closed once
// the fast-path copy has returned.
func (pm *pump) poke() <-chan struct{} {
	select {
	case pm.notify <- struct{}{}:
	default:
	}
	pm.mu.Lock()
	defer pm.mu.Unlock()
	if pm.fast && pm.needsSlow() {
		pm.kicked = true
		_ = pm.src.SetReadDeadline(time.Unix(1, 0))
		return pm.left
	}
	return nil
}

func (pm *pump) run() {
	for !pm.runFast() && !pm.runSlow() {
	}
}

// runFast copies with splice until the stream ends (true) or a toxic
// arrives (false).
func (pm *pump) runFast() bool {
	// Clear a parking deadline before poke can see fast (it may set one).
	_ = pm.src.SetReadDeadline(time.Time{})
	pm.mu.Lock()
	if pm.needsSlow() {
		pm.mu.Unlock()
		return false
	}
	pm.fast = true
	pm.left = make(chan struct{})
	pm.mu.Unlock()

	n, err := copyFast(pm.dst, pm.src)
	pm.l.p.srv.metrics.bytes(pm.l.p.name, pm.dir, n)

	pm.mu.Lock()
	pm.fast = false
	close(pm.left)
	kicked := pm.kicked
	pm.kicked = false
	pm.mu.Unlock()
	if kicked && errors.Is(err, os.ErrDeadlineExceeded) {
		_ = pm.src.SetReadDeadline(time.Time{})
		return false
	}
	if err != nil {
		pm.l.close(false)
		return true
	}
	pm.halfClose()
	return true
}

func (pm *pump) halfClose() {
	// The peer stopped sending: pass the FIN on, keep the other direction.
	pm.l.wmu[pm.dstIndex()].Lock()
	defer pm.l.wmu[pm.dstIndex()].Unlock()
	_ = pm.dst.CloseWrite()
}

// chunkSize is the most one read takes in the chunk pipeline.
const chunkSize = 32 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// runSlow is the chunk pipeline: a reader goroutine stamps chunks, this
// goroutine runs them through the stages in order. It returns true when
// the stream ended, false when the toxics are gone and the pump may go
// back to the fast path: then the reader was stopped at a read deadline
// (parked) and every chunk it had read went through first.
func (pm *pump) runSlow() bool {
	in := make(chan Chunk, 16)
	pm.parked = false
	go pm.read(in)
	pm.refresh() // arm stages that act without data (timeout, reset_peer)
	parking := false
	for {
		if !parking && pm.canPark() {
			parking = true
			pm.park()
		}
		select {
		case c, ok := <-in:
			if !ok {
				return !pm.parked
			}
			pm.refresh()
			err := pm.fn(c)
			if !c.EOF {
				b := c.Data[:cap(c.Data)]
				bufPool.Put(&b)
			}
			if err != nil {
				if !errors.Is(err, errEndLink) {
					pm.l.close(false)
				}
				return true
			}
			if c.EOF {
				return true
			}
			pm.refresh() // a lingering stage may have reached its boundary
		case <-pm.notify:
			pm.refresh()
		case <-pm.l.closed:
			return true
		}
	}
}

// canPark reports whether nothing is left for the pipeline to do but
// deliver: no toxic on this direction, no reply toxic on the other, no
// removed stage still holding a message.
func (pm *pump) canPark() bool {
	return len(pm.lingering) == 0 && !pm.needsSlow()
}

// park asks the reader to stop: a read deadline in the past ends its
// blocked Read without losing bytes (a read returns data or an error).
func (pm *pump) park() {
	pm.mu.Lock()
	pm.parking = true
	pm.mu.Unlock()
	_ = pm.src.SetReadDeadline(time.Unix(1, 0))
}

// stopParking reports whether the reader was asked to park, and resets it.
func (pm *pump) stopParking() bool {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	p := pm.parking
	pm.parking = false
	return p
}

// read feeds in until the source ends; a read error closes the link.
func (pm *pump) read(in chan<- Chunk) {
	defer close(in)
	for {
		bp := bufPool.Get().(*[]byte)
		n, err := pm.src.Read((*bp)[:chunkSize])
		if n > 0 {
			pm.l.p.srv.metrics.bytes(pm.l.p.name, pm.dir, int64(n))
			select {
			case in <- Chunk{Data: (*bp)[:n], At: time.Now()}:
			case <-pm.l.closed:
				return
			}
		} else {
			bufPool.Put(bp)
		}
		if err != nil {
			if isEOF(err) {
				pm.stopParking()
				select {
				case in <- Chunk{EOF: true, At: time.Now()}:
				case <-pm.l.closed:
				}
				return
			}
			if errors.Is(err, os.ErrDeadlineExceeded) && pm.stopParking() {
				pm.parked = true
				return
			}
			pm.l.close(false)
			return
		}
	}
}

// refresh rebuilds the stage chain when the proxy's toxics changed or a
// lingering stage let go of its message.
func (pm *pump) refresh() {
	ch := pm.l.p.chain(pm.dir)
	if pm.fn != nil && ch.version == pm.version && !pm.lingerDone() {
		return
	}
	pm.version = ch.version
	old := pm.slots
	pm.slots = make(map[*toxicRec]*slot, len(ch.toxics))
	var stages []Stage
	for _, rec := range ch.toxics {
		s, ok := old[rec]
		if !ok {
			s = pm.newSlot(rec)
		}
		pm.slots[rec] = s
		if s.stage != nil {
			stages = append(stages, s.stage)
		}
	}
	var keep []Stage
	for _, st := range pm.lingering {
		if holding(st) {
			keep = append(keep, st)
		}
	}
	for rec, s := range old {
		if _, still := pm.slots[rec]; !still && s.stage != nil && holding(s.stage) {
			keep = append(keep, s.stage)
		}
	}
	pm.lingering = keep
	// Lingering stages go first: they saw the stream before the change.
	pm.fn = pm.compose(append(keep[:len(keep):len(keep)], stages...))
}

func (pm *pump) lingerDone() bool {
	for _, st := range pm.lingering {
		if !holding(st) {
			return true
		}
	}
	return false
}

func (pm *pump) newSlot(rec *toxicRec) *slot {
	s := &slot{}
	seed, roll := pm.l.seed()
	if roll < rec.spec.Toxicity {
		env := &Env{
			Rand:    rand.New(rand.NewPCG(seed, seed+1)),
			Removed: rec.removed,
			Closed:  pm.l.closed,
			Dir:     pm.dir,
			Close:   pm.l.close,
			Reply: func(b []byte) error {
				return pm.l.write(1-pm.dstIndex(), b)
			},
		}
		s.stage = rec.toxic.NewStage(env)
	}
	return s
}

// compose chains stages in order, ending in the write to the destination.
func (pm *pump) compose(stages []Stage) func(Chunk) error {
	next := pm.deliver
	for i := len(stages) - 1; i >= 0; i-- {
		st, after := stages[i], next
		next = func(c Chunk) error { return st.Pipe(c, after) }
	}
	return next
}

func (pm *pump) deliver(c Chunk) error {
	if c.EOF {
		pm.halfClose()
		return nil
	}
	if len(c.Data) == 0 {
		return nil
	}
	return pm.l.write(pm.dstIndex(), c.Data)
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
