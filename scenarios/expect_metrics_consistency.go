package scenarios

// heal_convergence is measured by reports (judge_consistency.go,
// metrics_lag.go). It is a consistency metric, judged from probe
// samples, that names a fault: the fault says where convergence counts
// from, so it takes no window qualifier (the judge refuses one).
func init() {
	Metrics["heal_convergence"] = Metric{"heal_convergence", ArgFault, UnitDuration, FamilyConsistency,
		"time from the fault's heal (last revert, or a killed instance's replacement) until every write acknowledged before it is visible on every read instance; never if one is not by run end + grace"}
}
