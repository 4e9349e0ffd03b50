package simulator

import "errors"

// Run simulates sc and returns what happened. It is deterministic: the same
// scenario gives the same Result, whatever the machine or GOMAXPROCS.
func Run(sc *Scenario, opt Options) (*Result, error) {
	return nil, errors.New("engine not written yet")
}
