package load

import "hash/fnv"

// Randomness here is counter based: a value is a pure function of a stream
// key and a hit number. Workers render templates concurrently, and this keeps
// a run reproducible from its seed without a shared, locked generator.

// mix64 is the splitmix64 finaliser: a cheap, well-mixed 64-bit hash.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// draw returns the n-th 64-bit value of stream key for hit k.
func draw(key, k, n uint64) uint64 {
	return mix64(key ^ mix64(k^mix64(n+0x632be59bd9b4e019)))
}

// unit maps a 64-bit value to a float in [0, 1).
func unit(v uint64) float64 {
	return float64(v>>11) / (1 << 53)
}

// streamKey derives a stream key from the seed and identifying strings, so
// that agents and runs with the same seed do not draw the same values.
func streamKey(seed int64, parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return mix64(uint64(seed) ^ h.Sum64())
}
