package reference

import (
	"net/http"

	"github.com/faultline/faultline/faults/proxy"
)

// proxyBackend carries links through a faults/proxy server inside the
// calling process, so agents drive them with the Toxiproxy API on the
// instance's admin endpoint:
//
//	caller ─▶ 127.0.0.1:<link port> (proxy "from->to", toxics) ─▶ upstream
type proxyBackend struct{ srv *proxy.Server }

// newBackend is the link backend every instance uses. Upstreams are
// loopback only (the proxy's default allowlist).
func newBackend() linkBackend { return &proxyBackend{srv: proxy.NewServer()} }

func (b *proxyBackend) add(name, upstream string) (string, error) {
	p, err := b.srv.Add(name, "127.0.0.1:0", upstream, true)
	if err != nil {
		return "", err
	}
	return p.Addr(), nil
}

func (b *proxyBackend) handler() http.Handler { return b.srv.Handler() }
