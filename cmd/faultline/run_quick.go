package main

import (
	"fmt"

	"github.com/faultline/faultline/scenarios"
)

// resolveRun resolves the scenario to run: with quick, the catalogue's
// NAME-quick version (the whitepaper game day has one), which must exist.
func resolveRun(arg string, quick bool) (*scenarios.Scenario, error) {
	if !quick {
		return scenarios.Resolve(arg)
	}
	if _, ok := scenarios.CatalogSource(arg + "-quick"); !ok {
		return nil, fmt.Errorf("--quick: the catalogue has no quick version of %q (%s-quick); quick versions exist for catalogue scenarios only, e.g. faultline run whitepaper --quick", arg, arg)
	}
	return scenarios.Resolve(arg + "-quick")
}
