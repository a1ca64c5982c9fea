package reference

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

// Serve runs one instance of the topology until ctx ends: the role's API
// on its address and the admin endpoint on its admin address. It is what
// `faultline target serve ROLE --id ID --spec FILE` calls.
func Serve(ctx context.Context, specPath, role, id string) error {
	spec, err := ReadSpec(specPath)
	if err != nil {
		return err
	}
	self, ok := spec.Find(id)
	if !ok || self.Role != role {
		return fmt.Errorf("instance %q with role %q is not in %s", id, role, specPath)
	}
	n := &node{
		spec: spec, self: self, o: spec.Options, tr: newTracer(),
		log:   log.New(os.Stderr, id+" ", log.LstdFlags|log.Lmicroseconds),
		links: newLinkSet(id, self.Admin, newBackend()),
	}
	admin, err := net.Listen("tcp", self.Admin)
	if err != nil {
		return fmt.Errorf("%s admin: %w", id, err)
	}
	adminSrv := &http.Server{Handler: adminMux(n.links, n.tr, n.isReady, n.statsView), ReadHeaderTimeout: 5 * time.Second}
	go adminSrv.Serve(admin)
	defer adminSrv.Close()

	if role == "bus" {
		return runBus(ctx, n)
	}
	if role != "gateway" { // the gateway talks only HTTP
		if err := n.connectBus(); err != nil {
			return err
		}
		defer n.nc.Close()
	}
	h, err := roleHandler(ctx, n, role)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", self.Addr)
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "instance": id})
	})
	mux.Handle("/", h)
	srv := &http.Server{Handler: n.tr.wrap(endpointName, role == "gateway", mux), ReadHeaderTimeout: 5 * time.Second}
	if n.ready.Load() == nil {
		n.setReady(func() bool { return true })
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	n.log.Printf("%s serving on %s (admin %s)", role, self.Addr, self.Admin)
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

func roleHandler(ctx context.Context, n *node, role string) (http.Handler, error) {
	switch role {
	case "gateway":
		return runGateway(ctx, n)
	case "catalog":
		return runCatalog(ctx, n)
	case "orders":
		return runOrders(ctx, n)
	case "inventory":
		return runInventory(ctx, n)
	case "query":
		return runQuery(ctx, n)
	case "notify":
		return runNotify(ctx, n)
	}
	return nil, fmt.Errorf("unknown role %q (roles: bus, gateway, catalog, orders, inventory, query, notify)", role)
}
