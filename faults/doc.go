// Package faults owns the Fault interface, the registry of fault kinds,
// selectors, and lease semantics: every fault reverts itself when its
// lease is not renewed.
package faults
