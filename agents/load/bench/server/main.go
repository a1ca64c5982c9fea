// Command server is the benchmark's target: the smallest useful HTTP
// server, answering every request with 200 "ok". It listens on loopback
// only, so that a benchmark can never send load anywhere else.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/faultline/faultline/targets"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback host:port to listen on (port 0: any free one)")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !targets.IsLoopback(host) {
		fmt.Fprintf(os.Stderr, "server: -addr %q: need a loopback host:port such as 127.0.0.1:0\n", *addr)
		os.Exit(2)
	}
	body := []byte("ok")
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "2")
		_, _ = w.Write(body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
	// The first line of output is the address, for scripts to read.
	fmt.Println(ln.Addr().String())
	if err := http.Serve(ln, h); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}
