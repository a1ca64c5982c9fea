package scenarios

import (
	"os"
	"testing"
)

func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile("testdata/overlap.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode("overlap.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseExpectation(b *testing.B) {
	for b.Loop() {
		if _, err := ParseExpectation("p99(order) <= 250ms during fault(kill-orders)"); err != nil {
			b.Fatal(err)
		}
	}
}
