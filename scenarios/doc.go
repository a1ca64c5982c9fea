// Package scenarios owns the scenario language: its types, YAML decoding
// with file:line:column errors, defaults, validation, the expectation
// language, and the Plan (the timeline a run follows). The built-in
// catalogue lives in scenarios/catalog and is embedded.
//
// It must not contact anything: validate and plan are dry runs.
package scenarios
