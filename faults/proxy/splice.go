package proxy

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
)

// Why a budget: TCPConn.ReadFrom splices through a kernel pipe that it
// holds for the whole copy, so a fast-path link costs six descriptors (two
// sockets, two pipes of two) instead of two. The runtime parks finished
// pipes in a sync.Pool that only a garbage collection empties, and an idle
// proxy allocates so little that it may not collect for minutes. Under a
// burst of connections (vegeta at 5,000 req/s on a loaded machine opens
// thousands) the process hit RLIMIT_NOFILE: accept failed with EMFILE, the
// listen backlog filled, the kernel dropped SYNs, and clients saw "connect:
// connection timed out" for minutes after the burst, while the pool held
// ~13,000 idle pipe descriptors. So at most a fraction of the descriptor
// limit may be spliced at once; beyond it a pump copies through a pooled
// buffer (two descriptors per link, like Toxiproxy).

// spliceFDShare sets the share of RLIMIT_NOFILE that splice pipes in use
// may hold: 1/8, two descriptors per splicing pump. Pipes that a GC took
// out of the pool stay open until their cleanup runs, and meanwhile new
// ones are made, so the descriptors actually open run up to ~1.5x that
// under GC churn (measured with -race); 1/8 keeps them well under 1/4.
const spliceFDShare = 8

// splicing counts pumps holding a splice slot, process-wide (the pipe
// pool and the descriptor limit are process-wide too).
var splicing atomic.Int64

// spliceLimit is how many pumps may splice at once. A variable so that a
// test can shrink it.
var spliceLimit = func() int64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 {
		return 64
	}
	return max(int64(rl.Cur)/spliceFDShare/2, 8)
}

// acquireSplice takes a splice slot if one is free.
func acquireSplice() bool {
	if splicing.Add(1) > spliceLimit() {
		splicing.Add(-1)
		return false
	}
	return true
}

func releaseSplice() { splicing.Add(-1) }

// copyFast copies src to dst with no toxic in between: spliced when a slot
// is free, else through a pooled buffer. Both stop at a read deadline with
// every byte read also written, which is what makes a kick safe.
func copyFast(dst, src *net.TCPConn) (int64, error) {
	if acquireSplice() {
		defer releaseSplice()
		return dst.ReadFrom(src)
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	// The wrappers hide ReadFrom/WriteTo, or io.CopyBuffer would splice.
	return io.CopyBuffer(writerOnly{dst}, readerOnly{src}, *bp)
}

type readerOnly struct{ io.Reader }

type writerOnly struct{ io.Writer }
