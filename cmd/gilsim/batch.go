package main

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/dsl"
)

// setFlag is the repeatable --set NAME=VALUE[,VALUE...].
type setFlag map[string]string

func (s setFlag) String() string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k+"="+s[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

func (s setFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return errors.New("want NAME=VALUE, such as workers=16")
	}
	if _, dup := s[name]; dup {
		return fmt.Errorf("%s is set twice", name)
	}
	if err := distinctValues(name, value); err != nil {
		return err
	}
	s[name] = value
	return nil
}

// distinctValues refuses a list of values that names one twice, which
// would run the same simulation twice (a vary list may not either).
// Durations are compared by value (1s is 1000ms), other values as written.
// The error suggests the list without its repeats.
func distinctValues(name, list string) error {
	var keep []string
	seen := map[string]string{} // a value's key -> its first spelling
	problem := ""
	for v := range strings.SplitSeq(list, ",") {
		v = strings.TrimSpace(v)
		key := v
		if ns, err := dsl.ParseDuration(v); err == nil {
			key = "duration " + strconv.FormatInt(ns, 10)
		}
		first, dup := seen[key]
		switch {
		case !dup:
			seen[key] = v
			keep = append(keep, v)
		case problem != "":
		case first == v:
			problem = v + " is listed twice"
		default:
			problem = v + " is the same as " + first
		}
	}
	if problem == "" {
		return nil
	}
	return fmt.Errorf("%s; give each value once: %s=%s", problem, name, strings.Join(keep, ","))
}
