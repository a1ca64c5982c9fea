// Package proxy is faultline's TCP and HTTP fault proxy: named proxies that
// pipe each accepted connection (a link) through a chain of toxics, with
// leases, seeded randomness, and an admin HTTP API compatible with
// Toxiproxy's core API (plus /metrics).
//
// One link, two directions, each its own pump:
//
//	            upstream direction (requests)
//	client ──▶ [ reader ] ──▶ toxic 1 ──▶ toxic 2 ──▶ … ──▶ [ writer ] ──▶ upstream
//	client ◀── [ writer ] ◀── … ◀── toxic 2 ◀── toxic 1 ◀── [ reader ] ◀── upstream
//	            downstream direction (responses)
//
// A direction with no toxic takes the fast path: the kernel copies bytes
// with splice (net.TCPConn.ReadFrom), no chunk ever reaches user space
// (within a budget of pipe descriptors, see splice.go; beyond it, a plain
// buffered copy). Adding a toxic kicks the fast path (a read deadline in
// the past), and the pump switches to the chunk pipeline above. When the
// last toxic goes, the processor parks the reader the same way, delivers
// every chunk already read, and the pump returns to the fast path; a
// removed HTTP toxic first finishes the request it is in the middle of. There, a reader goroutine
// stamps each chunk with the time it was read, and the processor runs it
// synchronously through the stages: a stage passes the chunk on by calling
// next (zero, one or many times), may wait, or returns an error that ends
// the link. Stages are built per link from the proxy's toxics, each toxic
// included with probability toxicity (decided once per link, seeded).
//
// Leases: a toxic may carry a lease; when it is not renewed in time the
// proxy removes the toxic by itself. This is what protects a target when
// the agent that applied the toxic dies.
//
// The package owns sockets between a client and an upstream and nothing
// else: it never starts processes, never reads scenarios, and refuses
// upstreams outside the run's allowlist.
package proxy
