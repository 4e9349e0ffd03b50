package fidelity

import "math"

// Result is one row with gilsim's prediction.
type Result struct {
	Row
	Pred  Prediction
	Err   error   // the prediction could not be made
	Error float64 // (predicted - measured) / measured, in percent; numeric rows
	Band  float64 // tolerance in percent; numeric rows
	OK    bool    // within the band, or an exact match
	Limit *Limit  // non-nil when the row is a known limitation
}

// Evaluate predicts every row of Rows from runs.
func Evaluate(runs *Runs) []Result {
	out := make([]Result, 0, len(Rows()))
	for _, r := range Rows() {
		res := Result{Row: r}
		res.Pred, res.Err = r.predict(runs)
		if l, ok := limitOf(r.ID()); ok {
			res.Limit = &l
		}
		switch {
		case res.Err != nil:
		case r.Unit.exact():
			res.OK = res.Pred.Text == r.Text
		default:
			res.Band = Band(r)
			res.Error = (res.Pred.Value - r.Value) / r.Value * 100
			res.OK = !math.IsNaN(res.Error) && math.Abs(res.Error) <= res.Band
		}
		out = append(out, res)
	}
	return out
}
