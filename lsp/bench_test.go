package lsp

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkDiagnoseShipped computes the diagnostics of every shipped
// scenario, dry runs included, as the server does for each version of a
// document; -v logs the slowest file.
func BenchmarkDiagnoseShipped(b *testing.B) {
	files, _ := filepath.Glob("../scenarios/*/*.sim")
	var docs []*document
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, &document{uri: "file:///" + f, text: string(src)})
	}
	s := &Server{opt: Options{MaxEvents: DefaultMaxEvents}}
	slowest, worst := "", time.Duration(0)
	for b.Loop() {
		for _, d := range docs {
			start := time.Now()
			s.diagnose(d)
			if t := time.Since(start); t > worst {
				slowest, worst = d.uri, t
			}
		}
	}
	b.Logf("%d files; slowest %s in %v", len(docs), slowest, worst)
}
