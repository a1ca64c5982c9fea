// Package agents holds the agent: it joins the cluster, runs Assignments
// (load shares, probes, faults) and streams window summaries back.
//
// Agents never read YAML; they get plain values from the coordinator.
package agents
