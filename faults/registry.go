package faults

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/faultline/faultline/scenarios"
)

// Factory builds a fault of one kind from its timeline entry and the
// targets its selector chose. It validates params and returns an error
// naming the bad one.
type Factory func(spec scenarios.FaultSpec, sel Selection) (Fault, error)

// ErrUnknownKind is returned for a kind nobody registered.
var ErrUnknownKind = errors.New("unknown fault kind")

var (
	regMu     sync.RWMutex
	factories = map[string]Factory{}
)

// Register makes kind available; executors call it from init. A second
// registration of the same kind is an error (two executors must not
// silently fight over a name).
func Register(kind string, f Factory) error {
	if kind == "" || f == nil {
		return fmt.Errorf("register fault kind %q: empty kind or nil factory", kind)
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, ok := factories[kind]; ok {
		return fmt.Errorf("fault kind %q registered twice", kind)
	}
	factories[kind] = f
	return nil
}

// Kinds lists registered kinds, sorted.
func Kinds() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(factories))
	for k := range factories {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// New builds the fault for spec over sel with the registered factory.
func New(spec scenarios.FaultSpec, sel Selection) (Fault, error) {
	regMu.RLock()
	f, ok := factories[spec.Kind]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("fault %q: %w %q (registered: %s)", spec.Name, ErrUnknownKind, spec.Kind, strings.Join(Kinds(), ", "))
	}
	return f(spec, sel)
}
