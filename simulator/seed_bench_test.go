package simulator_test

import (
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

// BenchmarkSeed30kGreenThreads answers the seed's question at its own
// size: it parses and runs the shipped file of 30,000 greenlets in one
// gevent process against 30,000 threads in another, doing the same
// requests (scenarios/seed/47-20-30k-green-threads.sim). Target: the
// whole file, parse and run, under 5 s.
func BenchmarkSeed30kGreenThreads(b *testing.B) {
	const file = "../scenarios/seed/47-20-30k-green-threads.sim"
	b.ReportAllocs()
	var events int64
	for i := 0; i < b.N; i++ {
		sc, err := dsl.ParseFile(file)
		if err != nil {
			b.Fatal(err)
		}
		res, err := simulator.Run(sc, simulator.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, x := range res.Expectations {
			if !x.OK {
				b.Fatalf("%s: expectation failed: %s", file, x.Text)
			}
		}
		events += res.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
