package reference

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// clusterName is the NATS cluster the three buses form.
const clusterName = "faultline"

// busServer starts the embedded NATS server of a bus instance. Its routes
// to the other buses are dialled through this process's links, and it
// neither advertises nor gossips direct addresses: a route that bypassed
// its link would make partitions leak.
func busServer(n *node) (*server.Server, error) {
	var routes []*url.URL
	for _, peer := range n.spec.Role("bus") {
		if peer.ID == n.self.ID {
			continue
		}
		addr, err := n.links.to(peer.ID, peer.Cluster)
		if err != nil {
			return nil, err
		}
		routes = append(routes, &url.URL{Scheme: "nats", Host: addr})
	}
	host, port, err := splitHostPort(n.self.Addr)
	if err != nil {
		return nil, err
	}
	chost, cport, err := splitHostPort(n.self.Cluster)
	if err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName: n.self.ID,
		Host:       host, Port: port,
		NoSigs:             true,
		JetStream:          true,
		StoreDir:           filepath.Join(n.spec.Dir, "data", n.self.ID),
		JetStreamMaxMemory: 64 << 20,
		JetStreamMaxStore:  2 << 30,
		Cluster: server.ClusterOpts{
			Name: clusterName, Host: chost, Port: cport,
			NoAdvertise: true,
			// Gossiped route addresses must not be dialled: nothing listens
			// on port 1, so an implicit route simply fails.
			Advertise: "127.0.0.1:1",
		},
		Routes:          routes,
		NoSystemAccount: false,
		MaxPayload:      1 << 20,
		PingInterval:    time.Second, // notice a blackholed route within seconds
		MaxPingsOut:     3,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("bus %s: %w", n.self.ID, err)
	}
	s.SetLogger(natsLogger{n.log}, false, false)
	go s.Start()
	if !s.ReadyForConnections(15 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("bus %s: not accepting connections on %s after 15s", n.self.ID, n.self.Addr)
	}
	return s, nil
}

// busReady reports whether the bus has joined the JetStream meta group.
func busReady(s *server.Server) bool {
	h := s.Healthz(&server.HealthzOptions{JSMetaOnly: true})
	return h != nil && h.StatusCode == 200 || (h != nil && h.Status == "ok")
}

func runBus(ctx context.Context, n *node) error {
	s, err := busServer(n)
	if err != nil {
		return err
	}
	n.setReady(func() bool { return busReady(s) })
	n.setStats(func() any {
		v, _ := s.Varz(nil)
		if v == nil {
			return map[string]any{}
		}
		return map[string]any{"connections": v.Connections, "routes": v.Routes, "in_msgs": v.InMsgs, "out_msgs": v.OutMsgs, "js_ready": busReady(s)}
	})
	<-ctx.Done()
	s.Shutdown()
	s.WaitForShutdown()
	return nil
}

func splitHostPort(hp string) (string, int, error) {
	h, p, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, fmt.Errorf("address %q: %w", hp, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("address %q: bad port", hp)
	}
	return h, port, nil
}

// natsLogger sends the embedded server's notices and errors to the
// instance log; debug and trace are dropped.
type natsLogger struct {
	l interface{ Printf(string, ...any) }
}

func (g natsLogger) Noticef(f string, a ...any) { g.l.Printf("nats: "+f, a...) }
func (g natsLogger) Warnf(f string, a ...any)   { g.l.Printf("nats warn: "+f, a...) }
func (g natsLogger) Fatalf(f string, a ...any)  { g.l.Printf("nats fatal: "+f, a...) }
func (g natsLogger) Errorf(f string, a ...any)  { g.l.Printf("nats error: "+f, a...) }
func (g natsLogger) Debugf(string, ...any)      {}
func (g natsLogger) Tracef(string, ...any)      {}
