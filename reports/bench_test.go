package reports

import (
	"bytes"
	"io"
	"testing"
)

// benchRun is 300 s × 4 endpoints × 3 agents = 3,600 windows, 100
// requests each, as result.jsonl bytes.
func benchRun(b *testing.B) []byte {
	return jsonlOf(b, fixture(fixtureConfig{seed: 1, seconds: 300, agents: 3,
		endpoints: []string{"browse", "orders", "query", "stock"}, rate: 300}))
}

// BenchmarkReadJSONL: reading a result back (histograms stay sparse).
func BenchmarkReadJSONL(b *testing.B) {
	data := benchRun(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ReadJSONL(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteText: the terminal report of a read-back result (every
// window merged per endpoint, per phase).
func BenchmarkWriteText(b *testing.B) {
	r, err := ReadJSONL(bytes.NewReader(benchRun(b)))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteText(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteHTML: the HTML report with its eight charts.
func BenchmarkWriteHTML(b *testing.B) {
	r, err := ReadJSONL(bytes.NewReader(benchRun(b)))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteHTML(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
