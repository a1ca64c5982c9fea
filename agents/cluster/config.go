package cluster

import (
	"io"
	"log"
	"time"

	"github.com/hashicorp/memberlist"
)

// Profile picks memberlist's timing: how fast gossip spreads and how soon
// a silent node is suspected and declared dead.
type Profile string

// Profiles.
const (
	// ProfileLocal suits one machine or a test: memberlist's local
	// defaults (1 s probes with a 200 ms timeout, 100 ms gossip, 1,400-byte
	// packets), with a 5 s TCP timeout for joins, the LAN retransmit budget
	// and no compression (see localTCPTimeout, localRetransmitMult,
	// localCompression, localUDPBufferSize and localProbeInterval).
	ProfileLocal Profile = "local"
	// ProfileLAN suits real hosts on a LAN: memberlist's LAN defaults
	// (1 s probes with a 500 ms timeout, 200 ms gossip).
	ProfileLAN Profile = "lan"
)

// Config says who a node is and how it joins. Build one with LocalConfig
// or LANConfig and change what you need.
type Config struct {
	// ID names the node in the cluster; it must be unique.
	ID string
	// Role is agent or coordinator.
	Role Role
	// Version is the faultline version, gossiped so that a mixed cluster
	// is visible.
	Version string
	// Labels are free key=value tags an agent offers for placement (for
	// example zone=a). They count against the 512-byte metadata limit.
	Labels map[string]string
	// Capacity is the agent's relative weight when load is split: an
	// agent with capacity 2 gets twice the rate of one with capacity 1.
	Capacity int

	// BindAddr and BindPort are where memberlist listens (UDP and TCP).
	// Port 0 picks a free port.
	BindAddr string
	BindPort int
	// AdvertiseAddr and AdvertisePort are what other nodes dial; empty
	// means the bind address.
	AdvertiseAddr string
	AdvertisePort int

	// Key is the gossip key (16, 24 or 32 bytes; AES-GCM). Required: a
	// node never gossips in plaintext.
	Key []byte

	// Profile is the memberlist timing profile.
	Profile Profile
	// Transport replaces the UDP/TCP transport, for example with a
	// MemNetwork's for tests. Bind and advertise addresses are then
	// ignored.
	Transport memberlist.NodeAwareTransport

	// MaxMessageAge is how old (or how far ahead, for clock drift) a
	// control message may be and still be obeyed. It bounds how long a
	// captured message is worth replaying to a restarted node.
	MaxMessageAge time.Duration
	// InboxSize is how many verified messages may wait to be read before
	// the sender is made to wait.
	InboxSize int
	// Log receives memberlist's log; nil discards it.
	Log io.Writer

	// tune, when set, changes memberlist's configuration last: the
	// cluster simulation uses it to measure alternatives to a profile.
	tune func(*memberlist.Config)
}

// Defaults shared by both profiles.
const (
	// DefaultMaxMessageAge allows for a little clock drift between hosts
	// while keeping captured messages useless after half a minute.
	DefaultMaxMessageAge = 30 * time.Second
	// DefaultInboxSize holds several seconds of windows from 50 agents.
	DefaultInboxSize = 4096
)

// LocalConfig is for nodes on one machine (loopback): memberlist's local
// profile, which detects a dead node in a few seconds.
func LocalConfig() *Config {
	return &Config{
		Role:          RoleAgent,
		Capacity:      1, // every agent equal unless told otherwise
		BindAddr:      "127.0.0.1",
		BindPort:      0, // any free port: many local nodes share one host
		Profile:       ProfileLocal,
		MaxMessageAge: DefaultMaxMessageAge,
		InboxSize:     DefaultInboxSize,
	}
}

// LANConfig is for nodes on separate hosts: memberlist's LAN profile on
// its usual port 7946. Binding to a non-loopback address needs a key.
func LANConfig() *Config {
	c := LocalConfig()
	c.BindAddr = "0.0.0.0"
	c.BindPort = 7946 // memberlist's customary port, easy to open in firewalls
	c.Profile = ProfileLAN
	return c
}

// localTCPTimeout replaces memberlist's 1 s local TCP timeout (used for
// joins' state exchange and reliable sends, not for failure detection): on
// a busy CI box with the race detector, a push/pull regularly takes longer,
// and a failed join is worse than a slow one.
const localTCPTimeout = 5 * time.Second

// localCompression turns off memberlist's LZW compression of packets and
// streams on one machine. It changes no timing: memberlist fills a gossip
// packet to its 1,400-byte budget before compressing, so compression only
// shrinks bytes on the wire, and loopback has bandwidth to spare. Its cost
// is CPU: every packet allocates a fresh 64 KB LZW table. In a profile of
// a simulated 200-node cluster (BenchmarkConverge1000) compressing and
// decompressing took a third of the CPU, and the garbage they made most of
// the rest of the collector's share. Nodes on either profile still read
// compressed messages, so a local node can talk to a LAN one.
const localCompression = false

// localRetransmitMult restores the LAN profile's gossip budget, which
// memberlist's local profile halves to 2: each node passes a piece of news
// on mult*ceil(log10(n+1)) times, and a node misses it with a chance of
// about e^-(that budget). A node that misses news of another only learns of
// it at the next push/pull, which memberlist spaces 15 s apart, scaled up
// to 45 s at 100 nodes and 90 s at 1,000. Measured with TestSimConverge:
// 5 nodes converged in 22 s with 2 and 0.3 s with 4; 30 nodes in 28 s and
// 0.8 s (those runs also joined through nodes not yet joined, which made it
// worse; see sim_test.go). Measured again with BenchmarkConverge1000 at 500
// nodes after that was fixed: with 2, 81 nodes still missed members after
// 75 s; with 4 all converged in 19-20 s. On loopback the extra packets cost
// little. It does not change failure detection.
const localRetransmitMult = 4

// localUDPBufferSize keeps memberlist's 1,400-byte packet budget on one
// machine, although loopback has no such MTU. A gossip packet and a
// message with piggybacked gossip carry at most this many bytes of news.
// Larger packets were measured with BenchmarkConverge1000 (random joins,
// 2026-11-29, load average 0.5-5): at 200 nodes 7,680 bytes converged a
// cold join in 1.8 s instead of 5.2 s with a quarter of the packets, but at
// 500 nodes 4,096 and 7,680 bytes made each node receive news faster than
// its single handler goroutine could apply it on 2 shared cores:
// memberlist's 1,024-message handler queues shed 0.5-0.6 million messages
// in 10 s, probes went unanswered and thousands of false deaths followed,
// where 1,400 bytes shed none and converged in 18.7-20.5 s. Many agents on
// one machine share its cores just as the simulation does, so the budget
// stays. A ceiling applies to any raise: memberlist frames a probe with
// piggybacked gossip as one compound message whose count is a single byte
// (makeCompoundMessage in its net.go), so a budget that fits more than 255
// messages corrupts the packet. By our reckoning of its msgpack encoding
// the smallest message (suspect or dead, one-letter node names) takes
// about 31 bytes with its length, which puts the ceiling near 7,900 bytes.
const localUDPBufferSize = 1400

// localProbeInterval keeps memberlist's local 1 s probe interval, with
// which a dead node among n is declared after SuspicionMult (3) x log10(n)
// probe intervals: about 9 s at 1,000 nodes, not the 5 s goal. Probing
// every 400 ms would give about 3.6 s, but in a simulated 500-node cluster
// on this 2-core machine it turned the cold join's CPU peak into a collapse
// (125,000 false declarations of death, against 0-8 with 1 s), so it is not
// shipped. SuspicionMult 2 was not taken either: it drops Lifeguard's rule
// that a lone suspicion waits up to 6 times longer unless another node
// confirms it, which is what keeps one overloaded prober from killing a
// healthy agent.
const localProbeInterval = time.Second

// memberlistConfig turns c into memberlist's configuration.
func (c *Config) memberlistConfig() *memberlist.Config {
	var mc *memberlist.Config
	if c.Profile == ProfileLAN {
		mc = memberlist.DefaultLANConfig()
	} else {
		mc = memberlist.DefaultLocalConfig()
		mc.TCPTimeout = localTCPTimeout
		mc.EnableCompression = localCompression
		mc.RetransmitMult = localRetransmitMult
		mc.UDPBufferSize = localUDPBufferSize
		mc.ProbeInterval = localProbeInterval
	}
	mc.Name = c.ID
	mc.BindAddr = c.BindAddr
	mc.BindPort = c.BindPort
	mc.AdvertiseAddr = c.AdvertiseAddr
	mc.AdvertisePort = c.AdvertisePort
	if c.AdvertisePort == 0 {
		mc.AdvertisePort = c.BindPort
	}
	// Encryption is verified both ways: a node without the key can
	// neither read our gossip nor inject its own.
	mc.GossipVerifyIncoming = true
	mc.GossipVerifyOutgoing = true
	// Separate faultline's gossip from any other memberlist user (Consul,
	// Serf) that might share a port range.
	mc.Label = "faultline"
	w := c.Log
	if w == nil {
		w = io.Discard
	}
	mc.Logger = log.New(w, "memberlist ", log.LstdFlags|log.Lmicroseconds)
	if c.Transport != nil {
		mc.Transport = c.Transport
	}
	if c.tune != nil {
		c.tune(mc)
	}
	return mc
}
