// Package targets defines what faultline runs against: instances,
// endpoints, the dependency graph, and control over instances.
package targets
