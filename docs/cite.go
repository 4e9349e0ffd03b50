package docs

import (
	_ "embed"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// Semantics is docs/semantics.md, whose numbered sections code comments,
// scenarios and the other pages cite as "docs/semantics.md §1.5".
//
//go:embed semantics.md
var Semantics string

// sectionHeading matches a numbered heading of semantics.md: "## 4." or
// "### 1.5", and its title.
var sectionHeading = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^#{2,3} (\d+(?:\.\d+)?)\.? (.*)$`)
})

// sectionAnchors maps a section number of semantics.md ("1.5", "9") to
// its heading's anchor. The regular expressions and the map are built on
// first use, not at start-up.
var sectionAnchors = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, h := range sectionHeading().FindAllStringSubmatch(Semantics, -1) {
		m[h[1]] = Anchor(strings.TrimPrefix(h[0], strings.SplitN(h[0], " ", 2)[0]+" "))
	}
	return m
})

// Section returns the anchor of a numbered section of semantics.md
// ("1.5" gives "15-releasing-around-blocking-calls-and-who-wins"), and
// whether the section exists.
func Section(number string) (string, bool) {
	a, ok := sectionAnchors()[number]
	return a, ok
}

// Anchor is the anchor GitHub gives a heading's text: lower case, spaces
// as hyphens, everything but letters, digits, hyphens and underscores
// dropped.
func Anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// citation matches a citation of semantics.md and the section numbers
// that follow it: "docs/semantics.md §1.1", "semantics.md §5.5, §11.6",
// "docs/semantics.md §4.2 and §11.5", "docs/semantics.md §1.2-1.4".
var citation = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:docs/)?semantics\.md((?:(?:,| and)? §\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?)+)`)
})

var sectionRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`§(\d+(?:\.\d+)?)`) })

// LinkCitations turns each citation of semantics.md in markdown text into
// links to its sections, relative to a page of docs/: "docs/semantics.md
// §1.5, §3" becomes "[semantics.md §1.5](semantics.md#15-…),
// [§3](semantics.md#3-…)". A section that does not exist is left as text.
// "docs/language.md" becomes a link to language.md.
func LinkCitations(text string) string {
	text = strings.ReplaceAll(text, "docs/language.md", "[language.md](language.md)")
	return citation().ReplaceAllStringFunc(text, func(c string) string {
		first := true
		refs := citation().FindStringSubmatch(c)[1]
		linked := sectionRef().ReplaceAllStringFunc(refs, func(ref string) string {
			anchor, ok := Section(strings.TrimPrefix(ref, "§"))
			label := ref
			if first {
				label = "semantics.md " + ref
				first = false
			}
			if !ok {
				return label
			}
			return "[" + label + "](semantics.md#" + anchor + ")"
		})
		return strings.TrimPrefix(linked, " ")
	})
}
