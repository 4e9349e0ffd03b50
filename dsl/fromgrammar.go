package dsl

import (
	"reflect"
	"slices"

	"github.com/gilsim/gilsim/dsl/internal/grammar"
)

// fromGrammar copies a tree of package grammar into the parser's types:
// the outer nodes field by field, the inner ones (the same types) as
// they are, but for each expectation's tokens, which get a slice of
// their own as finishItems gives them.
func fromGrammar(g *grammar.File) *fileNode {
	f := new(fileNode)
	copyTree(reflect.ValueOf(f).Elem(), reflect.ValueOf(g).Elem())
	for _, it := range f.Scenario.Items {
		if e := it.Expect; e != nil {
			e.Tokens = slices.Clip(slices.Clone(e.Tokens))
		}
	}
	return f
}

// copyTree copies src into dst, of the same shape: fields of the same
// names in the same order.
func copyTree(dst, src reflect.Value) {
	if src.Type() == dst.Type() {
		dst.Set(src)
		return
	}
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.New(dst.Type().Elem()))
		copyTree(dst.Elem(), src.Elem())
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeSlice(dst.Type(), src.Len(), src.Len()))
		for i := range src.Len() {
			copyTree(dst.Index(i), src.Index(i))
		}
	case reflect.Struct:
		for i := range src.NumField() {
			copyTree(dst.FieldByName(src.Type().Field(i).Name), src.Field(i))
		}
	default:
		panic("copyTree: " + src.Type().String() + " into " + dst.Type().String())
	}
}
