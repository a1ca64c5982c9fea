package faults

import (
	"context"
	"time"
)

// A Fault changes the target until it is reverted or its lease ends.
// Apply and Renew take the lease: if Renew is not called again before the
// lease runs out, the executor reverts the fault by itself.
type Fault interface {
	Apply(ctx context.Context, lease time.Duration) error
	Renew(ctx context.Context, lease time.Duration) error
	Revert(ctx context.Context) error
}

// DefaultLease is how long a fault stays applied without renewal.
const DefaultLease = 5 * time.Second
