// Package cluster is faultline's membership and control plane: a thin
// wrapper around hashicorp/memberlist.
//
//	coordinator ──sealed Envelope (HMAC, run id, epoch+seq)──▶ agent
//	     ▲                                                       │
//	     └──────────── sealed Envelope (windows, done) ──────────┘
//	all of it inside memberlist's AES-GCM keyring encryption
//
// It owns: node metadata (Meta), the gossip key and keyring (key.go), the
// memberlist profiles (config.go), authenticated control envelopes and
// replay protection (envelope.go, replay.go), and an in-memory transport
// for tests and benchmarks of up to thousands of nodes (memnet.go).
//
// Control messages travel as memberlist user messages over its reliable
// (TCP) stream: one port to open, already encrypted by the keyring, and the
// peer's identity comes from membership. On top of that every message is
// sealed with an HMAC-SHA256 key derived from the gossip key, so a node
// that can reach the port but lacks the key is never obeyed, and a message
// replayed from an earlier run or to another node is dropped.
//
// It must not know about scenarios, load or faults: the bodies it carries
// are opaque JSON to it.
package cluster
