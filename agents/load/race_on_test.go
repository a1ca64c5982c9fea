//go:build race

package load

// raceEnabled: the race detector slows the engine several-fold, so tests
// that judge timing accuracy rerun themselves without it (withoutRace).
const raceEnabled = true
