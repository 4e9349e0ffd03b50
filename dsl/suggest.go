package dsl

import (
	"strings"
	"unicode/utf8"
)

// suggest returns the candidate closest to word by edit distance, or ""
// when none is close enough to be what the user meant. Ties go to the
// earlier candidate, so the answer does not depend on map order as long as
// candidates come in a fixed order.
func suggest(word string, candidates []string) string {
	limit := 2
	if n := utf8.RuneCountInString(word); n <= 3 {
		limit = 1
	} else if n >= 10 {
		limit = 3
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == word {
			continue
		}
		if strings.EqualFold(c, word) {
			return c
		}
		d := absDiff(utf8.RuneCountInString(c), utf8.RuneCountInString(word))
		if d >= bestD {
			continue
		}
		if d = editDistance(word, c, bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// didYouMean formats a suggestion for an error message.
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

func absDiff(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}

// editDistance is the Levenshtein distance between a and b, in runes. It
// gives up and returns bound once every path costs at least bound.
func editDistance(a, b string, bound int) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= bound {
			return bound
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Suggest returns the candidate closest to word, or "" when none is close
// enough to be what was meant: the did-you-mean of the parser's errors,
// for the command line's own names (`--models thread`).
func Suggest(word string, candidates []string) string { return suggest(word, candidates) }
