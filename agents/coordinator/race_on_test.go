//go:build race

package coordinator

// raceEnabled: see rerunWithoutRace.
const raceEnabled = true
