// Package scenarios owns the scenario language (v1): its types (spec.go),
// YAML decoding through yaml.v3 nodes with file:line:column errors
// (decode*.go), the strict value parsers (values.go), defaults
// (defaults.go), semantic validation (validate*.go), the expectation
// language and its metric registry (expect*.go), the Plan - the timeline a
// run follows (plan*.go) - the JSON Schema (schema.json), and the built-in
// catalogue and claims library (catalog/*.yaml, embedded by catalog.go).
//
//	YAML ─▶ Decode ─▶ defaults ─▶ Validate ─▶ *Scenario ─▶ NewPlan ─▶ *Plan
//
// It must not contact anything: validate and plan are dry runs. It knows
// nothing of agents, faults' executors, targets or results; targets check
// their own options through RegisterOptionChecker, and reports judges
// expectations from a Result.
package scenarios
