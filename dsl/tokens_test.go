package dsl

import (
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	src := []byte("\uFEFFscenario \"s\" { # hi\r\n  task \"é\" { cpu 5µs }\n  expect finish(\"é\") ~= 1ms within 5% when $n >= 2\n} 5min \"open\n")
	var got []string
	for _, tk := range Tokens(src) {
		got = append(got, string(rune('0'+tk.Kind))+":"+tk.Text)
		if string(src[tk.Offset:tk.End()]) != tk.Text {
			t.Errorf("%q: offset %d holds %q", tk.Text, tk.Offset, src[tk.Offset:tk.End()])
		}
	}
	want := []string{
		"1:scenario", "3:\"s\"", "7:{", "8:# hi",
		"1:task", "3:\"é\"", "7:{", "1:cpu", "4:5µs", "7:}",
		"1:expect", "2:finish", "7:(", "3:\"é\"", "7:)", "6:~=", "4:1ms", "1:within", "4:5%", "1:when", "5:$n", "6:>=", "4:2",
		"7:}", "4:5min", "9:\"open",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	toks := Tokens(src)
	if tk := toks[0]; tk.Line != 1 || tk.Col != 1 || tk.Offset != 3 {
		t.Errorf("first token at %d:%d offset %d, want 1:1 offset 3 (after the byte-order mark)", tk.Line, tk.Col, tk.Offset)
	}
	if tk := toks[7]; tk.Text != "cpu" || tk.Line != 2 || tk.Col != 14 {
		t.Errorf("cpu at %d:%d, want 2:14", tk.Line, tk.Col)
	}
	if Tokens(make([]byte, MaxFileSize+1)) != nil {
		t.Error("a file past MaxFileSize gave tokens")
	}
}
