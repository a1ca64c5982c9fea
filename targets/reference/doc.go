// Package reference is faultline's default target: a small microservice
// system shaped like the whitepaper's Figures 4, 13 and 14, runnable on
// one machine, plus the supervisor that starts and replaces its instances.
//
//	client ─▶ gateway-1 ─link─▶ catalog-1..2 ─link─▶ bus-1..3 (NATS JetStream, R3)
//	                    ─link─▶ orders-1..2  ─link─▶ inventory-1..2 ─link─▶ bus
//	                    ─link─▶ query-1..2   ◀─ ORDERS stream ─▶ notify-1
//	bus-1 ◀─link─▶ bus-2 ◀─link─▶ bus-3 (cluster routes)
//
// Every instance is a role of the faultline binary (`faultline target
// serve ROLE --id ID --spec FILE`). Every connection from one instance to
// another goes through a named link ("from->to") owned by the calling
// process, so network faults and partitions need no root. Resilience
// patterns (timeouts, retries, breakers, bulkheads, cache fallback,
// throttling) are switched by Options; off means really off.
//
// The package owns the topology's processes, ports, data (stream and KV
// buckets under the run directory) and registry. It must not send traffic
// outside loopback, and must leave no process behind when stopped.
package reference
