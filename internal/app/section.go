package app

import (
	"errors"
	"strings"
)

// A generated section of a markdown page sits between two comment lines,
// <!-- NAME:begin --> and <!-- NAME:end -->, so that a command can rewrite
// it and a test can compare it with what the command prints, leaving the
// page's hand-written text alone.

// Markers returns the lines that open and close the section called name.
func Markers(name string) (begin, end string) {
	return "<!-- " + name + ":begin -->", "<!-- " + name + ":end -->"
}

// ReplaceSection returns doc with the text of the section called name
// replaced by section. Everything outside the markers is kept byte for
// byte. doc must hold each marker once, the begin marker first.
func ReplaceSection(doc, name, section string) (string, error) {
	start, stop, err := find(doc, name)
	if err != nil {
		return "", err
	}
	return doc[:start] + "\n" + section + doc[stop:], nil
}

// Section returns the text of the section called name, as ReplaceSection
// writes it (without the line break after the begin marker).
func Section(doc, name string) (string, error) {
	start, stop, err := find(doc, name)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(doc[start:stop], "\n"), nil
}

// find returns where the section's text starts (just after the begin
// marker) and stops (at the end marker).
func find(doc, name string) (start, stop int, err error) {
	begin, end := Markers(name)
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < 0 || j < i {
		return 0, 0, errors.New("the file has no " + begin + " … " + end + " section")
	}
	if strings.Count(doc, begin) != 1 || strings.Count(doc, end) != 1 {
		return 0, 0, errors.New("the file has more than one " + name + " section")
	}
	return i + len(begin), j, nil
}

// FirstDifference compares a page's section with what its generator
// prints, line by line: it returns the 1-based line of the first
// difference and the two lines, or 0 when they are equal.
func FirstDifference(got, want string) (line int, g, w string) {
	if got == want {
		return 0, "", ""
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(gl), len(wl)) {
		g, w = "", ""
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return i + 1, g, w
		}
	}
	return 0, "", ""
}
