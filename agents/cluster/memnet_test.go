package cluster

import (
	"testing"

	"github.com/hashicorp/memberlist"
)

// A node that does not read its packets loses what its queue cannot hold,
// and the network counts each loss; packets to a cut node are neither
// delivered nor counted as drops.
func TestMemNetworkCountsDrops(t *testing.T) {
	cases := []struct {
		name                   string
		sent                   int
		cut                    bool
		packets, dropped, size uint64
	}{
		// A full queue, nothing lost.
		{"fits the queue", memQueue, false, memQueue, 0, memQueue * 10},
		// 88 packets past the queue's depth are lost and counted.
		{"overflows the queue", memQueue + 88, false, memQueue, 88, memQueue * 10},
		// A crash loses packets on purpose: not drops.
		{"to a cut node", 20, true, 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mn := &MemNetwork{}
			a, b := mn.NewTransport("a"), mn.NewTransport("b")
			if tc.cut {
				mn.Cut("b")
			}
			for range tc.sent {
				if _, err := a.WriteToAddress(make([]byte, 10), memberlist.Address{Addr: b.Addr(), Name: "b"}); err != nil {
					t.Fatal(err)
				}
			}
			got := mn.Stats()
			if got.Packets != tc.packets || got.Dropped != tc.dropped || got.Bytes != tc.size {
				t.Fatalf("stats %+v, want %d packets (%d bytes) and %d dropped", got, tc.packets, tc.size, tc.dropped)
			}
			if len(b.PacketCh()) != int(tc.packets) {
				t.Fatalf("%d packets queued, want %d", len(b.PacketCh()), tc.packets)
			}
		})
	}
}
