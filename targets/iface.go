package targets

import (
	"context"
	"errors"
)

// Instance states, as a target reports them.
const (
	StateStarting = "starting" // launched, not yet answering its health check
	StateRunning  = "running"  // answering its health check
	StatePaused   = "paused"   // stopped with SIGSTOP
	StateDead     = "dead"     // exited or killed, waiting for replacement
	StateStopped  = "stopped"  // stopped on purpose, not to be replaced
)

// ErrUnknownInstance is returned by control calls naming no instance.
var ErrUnknownInstance = errors.New("unknown instance")

// Endpoint is one externally visible operation of a target, as a load mix
// names it.
type Endpoint struct {
	// Name is how scenarios and reports refer to the endpoint, for example
	// "catalog.get".
	Name string `json:"name"`
	// Method and Path describe the request; Path may hold {placeholders}.
	Method string `json:"method"`
	Path   string `json:"path"`
	// Service is the first service the request reaches behind the edge.
	Service string `json:"service"`
}

// Link is one network connection path from an instance to another one, as
// a fault proxy inside the calling process carries it.
type Link struct {
	// Name is "from->to", for example "orders-1->inventory-2".
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
	// Listen is where the caller dials; Upstream is the real destination.
	Listen   string `json:"listen"`
	Upstream string `json:"upstream"`
	// Admin is the base URL of the Toxiproxy-compatible API that drives
	// this link (the owning instance's admin endpoint).
	Admin string `json:"admin"`
}

// Target is what a run is pointed at. Implementations must be safe for
// concurrent use.
type Target interface {
	// Instances lists every instance with its current state.
	Instances(ctx context.Context) ([]Instance, error)
	// Endpoints lists the operations a load mix can call.
	Endpoints() []Endpoint
	// Graph is the declared dependency graph.
	Graph() *Graph
	// BaseURL is where the endpoints are served (the edge).
	BaseURL() string
}

// Controller stops and starts instances. Optional: a target that cannot
// control its instances does not implement it.
type Controller interface {
	// Kill sends SIGKILL to the instance (the target may replace it).
	Kill(ctx context.Context, id string) error
	// Terminate sends SIGTERM to the instance.
	Terminate(ctx context.Context, id string) error
	// Pause freezes the instance (SIGSTOP); Resume thaws it (SIGCONT).
	Pause(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
	// Restart stops the instance and starts a fresh one in its place.
	Restart(ctx context.Context, id string) error
}

// Linker lists the network links of instances, for network faults and
// partitions. Optional, like Controller.
type Linker interface {
	// Links returns every outgoing link of the instance with the given id,
	// or of all instances when id is empty.
	Links(ctx context.Context, id string) ([]Link, error)
}
