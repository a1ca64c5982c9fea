package reference

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Options switch the resilience patterns and tune the topology. A
// scenario's target.options map decodes into it (FromOptions). Every
// pattern that is off is really off: no timeout, no retry, no breaker.
type Options struct {
	// Timeouts bounds every call (gateway→service, service→service,
	// service→bus). Off: calls wait as long as the peer takes.
	Timeouts bool `yaml:"timeouts" json:"timeouts"`
	// GatewayTimeout bounds one upstream attempt at the gateway.
	GatewayTimeout time.Duration `yaml:"gateway_timeout" json:"gateway_timeout"`
	// CallTimeout bounds one service→service attempt.
	CallTimeout time.Duration `yaml:"call_timeout" json:"call_timeout"`
	// BusTimeout bounds one call to the bus (KV read or write, publish).
	BusTimeout time.Duration `yaml:"bus_timeout" json:"bus_timeout"`

	// Retries retries failed idempotent calls with jittered exponential
	// backoff, on another instance when there is one.
	Retries bool `yaml:"retries" json:"retries"`
	// RetryAttempts is the number of retries after the first attempt.
	RetryAttempts int `yaml:"retry_attempts" json:"retry_attempts"`
	// RetryBackoff is the base of the backoff (full jitter up to
	// base×2^attempt).
	RetryBackoff time.Duration `yaml:"retry_backoff" json:"retry_backoff"`

	// Breakers puts a circuit breaker in front of each dependency instance.
	Breakers bool `yaml:"breakers" json:"breakers"`
	// BreakerFailures consecutive failures open a breaker.
	BreakerFailures int `yaml:"breaker_failures" json:"breaker_failures"`
	// BreakerOpen is how long a breaker stays open before one trial call.
	BreakerOpen time.Duration `yaml:"breaker_open" json:"breaker_open"`

	// Bulkheads bounds the calls in flight to each dependency service;
	// calls beyond the bound fail at once instead of queueing.
	Bulkheads bool `yaml:"bulkheads" json:"bulkheads"`
	// BulkheadLimit is that bound.
	BulkheadLimit int `yaml:"bulkhead_limit" json:"bulkhead_limit"`

	// CacheFallback lets catalog serve a stale cached item when the KV
	// bucket cannot be read.
	CacheFallback bool `yaml:"cache_fallback" json:"cache_fallback"`
	// CatalogCacheTTL is how long catalog trusts its local cache.
	CatalogCacheTTL time.Duration `yaml:"catalog_cache_ttl" json:"catalog_cache_ttl"`

	// Throttling makes the gateway answer 429 beyond ThrottleRate req/s
	// (token bucket of ThrottleBurst tokens).
	Throttling    bool    `yaml:"throttling" json:"throttling"`
	ThrottleRate  float64 `yaml:"throttle_rate" json:"throttle_rate"`
	ThrottleBurst int     `yaml:"throttle_burst" json:"throttle_burst"`

	// GatewayCache caches 200 answers to GET at the gateway for
	// GatewayCacheTTL.
	GatewayCache    bool          `yaml:"gateway_cache" json:"gateway_cache"`
	GatewayCacheTTL time.Duration `yaml:"gateway_cache_ttl" json:"gateway_cache_ttl"`

	// HealthInterval is the gateway's active health check period; an
	// instance is de-registered after UnhealthyThreshold failed checks in
	// a row and re-registered after HealthyThreshold good ones.
	HealthInterval     time.Duration `yaml:"health_interval" json:"health_interval"`
	HealthTimeout      time.Duration `yaml:"health_timeout" json:"health_timeout"`
	UnhealthyThreshold int           `yaml:"unhealthy_threshold" json:"unhealthy_threshold"`
	HealthyThreshold   int           `yaml:"healthy_threshold" json:"healthy_threshold"`
	// FailOpen routes to every instance of a service when none is
	// registered, as an ALB does: health checks that time out under load
	// must not take a whole service out.
	FailOpen bool `yaml:"fail_open" json:"fail_open"`

	// Items is how many catalog items (and stock keys) are seeded.
	Items int `yaml:"items" json:"items"`
	// Stock is the initial stock of each item.
	Stock int64 `yaml:"stock" json:"stock"`
}

// DefaultOptions has every pattern on, with bounds sized so that a call
// chain fails inside the gateway's timeout: orders spends at most
// CallTimeout×(1+RetryAttempts) on inventory plus BusTimeout on the
// publish, which stays under GatewayTimeout.
func DefaultOptions() Options {
	return Options{
		Timeouts:       true,
		GatewayTimeout: 3 * time.Second,
		CallTimeout:    500 * time.Millisecond, // a healthy reserve takes a few ms
		BusTimeout:     time.Second,            // an R3 ack takes a few ms; one second is an outage

		Retries:       true,
		RetryAttempts: 2,
		RetryBackoff:  20 * time.Millisecond,

		Breakers:        true,
		BreakerFailures: 5,               // five failures in a row is not noise
		BreakerOpen:     2 * time.Second, // then probe once every two seconds

		Bulkheads:     true,
		BulkheadLimit: 256, // ~10x the calls in flight at 2,000 req/s and 10 ms

		CacheFallback:   true,
		CatalogCacheTTL: 2 * time.Second,

		Throttling:    true,
		ThrottleRate:  5000, // above the 2,000 req/s the topology is sized for
		ThrottleBurst: 1000,

		GatewayCache:    true,
		GatewayCacheTTL: 250 * time.Millisecond,

		HealthInterval:     500 * time.Millisecond,
		HealthTimeout:      400 * time.Millisecond, // under the interval, so rounds keep their pace
		UnhealthyThreshold: 2,
		HealthyThreshold:   2,
		FailOpen:           true,

		Items: 100,
		Stock: 1_000_000_000,
	}
}

// FromOptions applies a scenario's target.options map on top of
// DefaultOptions. Unknown keys and wrong types are errors that name the
// key and list what is allowed.
func FromOptions(m map[string]any) (Options, error) {
	o := DefaultOptions()
	if len(m) == 0 {
		return o, nil
	}
	raw, err := yaml.Marshal(m)
	if err != nil {
		return o, fmt.Errorf("reference options: %w", err)
	}
	return DecodeOptions(raw)
}

// DecodeOptions decodes YAML options on top of DefaultOptions.
func DecodeOptions(raw []byte) (Options, error) {
	o := DefaultOptions()
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&o); err != nil && err.Error() != "EOF" {
		return DefaultOptions(), fmt.Errorf("reference options: %v (allowed keys: %s)", err, strings.Join(OptionKeys(), ", "))
	}
	return o, o.Validate()
}

// Validate refuses values that cannot work.
func (o Options) Validate() error {
	var bad []string
	check := func(ok bool, what string) {
		if !ok {
			bad = append(bad, what)
		}
	}
	check(o.GatewayTimeout > 0 && o.CallTimeout > 0 && o.BusTimeout > 0, "timeouts must be > 0 (set timeouts: false to switch them off)")
	check(o.RetryAttempts >= 0 && o.RetryAttempts <= 10, "retry_attempts must be 0..10")
	check(o.RetryBackoff >= 0, "retry_backoff must be >= 0")
	check(o.BreakerFailures >= 1, "breaker_failures must be >= 1")
	check(o.BreakerOpen > 0, "breaker_open must be > 0")
	check(o.BulkheadLimit >= 1, "bulkhead_limit must be >= 1")
	check(o.CatalogCacheTTL > 0, "catalog_cache_ttl must be > 0")
	check(o.ThrottleRate > 0 && o.ThrottleBurst >= 1, "throttle_rate must be > 0 and throttle_burst >= 1")
	check(o.GatewayCacheTTL > 0, "gateway_cache_ttl must be > 0")
	check(o.HealthInterval >= 10*time.Millisecond && o.HealthTimeout > 0, "health_interval must be >= 10ms and health_timeout > 0")
	check(o.UnhealthyThreshold >= 1 && o.HealthyThreshold >= 1, "unhealthy_threshold and healthy_threshold must be >= 1")
	check(o.Items >= 1 && o.Items <= 100000, "items must be 1..100000")
	check(o.Stock >= 0, "stock must be >= 0")
	if len(bad) > 0 {
		return fmt.Errorf("reference options: %s", strings.Join(bad, "; "))
	}
	return nil
}

// OptionKeys lists the keys FromOptions accepts.
func OptionKeys() []string {
	return []string{"timeouts", "gateway_timeout", "call_timeout", "bus_timeout",
		"retries", "retry_attempts", "retry_backoff", "breakers", "breaker_failures", "breaker_open",
		"bulkheads", "bulkhead_limit", "cache_fallback", "catalog_cache_ttl",
		"throttling", "throttle_rate", "throttle_burst", "gateway_cache", "gateway_cache_ttl",
		"health_interval", "health_timeout", "unhealthy_threshold", "healthy_threshold", "fail_open", "items", "stock"}
}
