package fidelity

// Limit is an effect of real CPython that gilsim does not reproduce yet:
// the rows it spoils, and the rule of semantics.md that is missing.
type Limit struct {
	ID      string
	Title   string
	Rows    []string // entries of Rows that leave their band because of it
	Missing string   // the rule the engine lacks, and what it would take
}

// Known lists the known limitations. The fidelity test skips asserting
// the bands of exactly these rows, and fails when one of them comes back
// within its band (it is then no longer a limitation: remove it here).
var Known = []Limit{}

func limitOf(entry string) (Limit, bool) {
	for _, l := range Known {
		for _, e := range l.Rows {
			if e == entry {
				return l, true
			}
		}
	}
	return Limit{}, false
}
