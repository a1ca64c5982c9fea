package scenarios

// timeline checks each fault fits in the run, names are unique, and no two
// faults conflict on the same target at overlapping times.
func (v *validator) timeline() {
	run := v.s.Load.Duration
	names := map[string]bool{}
	for _, f := range v.s.Timeline {
		if names[f.Name] {
			v.add(f.Pos, "unique fault names", "fault %q is defined twice", f.Name)
		}
		names[f.Name] = true
		if f.Duration <= 0 {
			v.add(f.Pos, "a duration above zero", "fault %q has no duration", f.Name)
		}
		if run > 0 && f.At+f.Duration > run {
			v.add(f.Pos, "at + duration within load.duration ("+run.String()+"); at counts from the end of warmup",
				"fault %q runs from %s to %s, past the end of the run at %s", f.Name, f.At, f.At+f.Duration, run)
		}
	}
	for i, a := range v.s.Timeline {
		for _, b := range v.s.Timeline[:i] {
			if conflicts(a, b) {
				v.add(a.Pos, "faults on the same target at different times, or network faults of different kinds",
					"fault %q (%s on %s, %s-%s) conflicts with fault %q (%s, %s-%s)",
					a.Name, a.Kind, a.Target.Key(), a.At, a.At+a.Duration, b.Name, b.Kind, b.At, b.At+b.Duration)
			}
		}
	}
}

// conflicts reports whether two faults act on the same target at the same
// time in ways that cannot both hold: the same kind twice, or anything
// together with an instance fault or a partition. Two different network
// toxics on one target (latency and http_abort) stack, as in Toxiproxy.
func conflicts(a, b FaultSpec) bool {
	if a.Target.Key() == "" || a.Target.Key() != b.Target.Key() {
		return false
	}
	if a.At >= b.At+b.Duration || b.At >= a.At+a.Duration {
		return false
	}
	ka, kb := FaultKinds[a.Kind], FaultKinds[b.Kind]
	return a.Kind == b.Kind || ka.Class != "network" || kb.Class != "network"
}
