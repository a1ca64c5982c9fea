// Package targets defines what faultline runs against: the instances of a
// target system, its endpoints, the dependency graph between them, and
// control over instances (kill, pause, restart) and their network links.
//
// It owns the Target interface and the Graph type, plus the run allowlist.
// It must not start processes or send traffic itself: the reference
// topology (targets/reference) and external targets implement it.
package targets
