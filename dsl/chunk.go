package dsl

import (
	"runtime"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Chunked parsing. lexer.Upgrade reads every token of a file into one
// array before participle parses a token: 64 bytes a token, grown by
// appending, for a file of 10,000 tasks some 70 MB of fresh memory, which
// cost more than the parse. So parseSyntax hands participle a file in
// chunks instead: the scanner writes the tokens into a window of a few
// thousand, participle parses them, and the next chunk is written over
// them.
//
// A chunk ends right after a `}` that brings the depth of braces back to
// one, once it holds chunkMin tokens: in a file that parses, that `}`
// ends an item of the scenario (the items that hold braces — entity,
// process, machine, workload — end with their own `}`, and the others
// hold none), and an item starts after it. The first chunk is parsed as
// headNode (`scenario Str { TopItem*`), the chunks after it as middleNode
// (`TopItem*`), the last as tailNode (`TopItem* }`), each up to an EOF
// of its own; a file of one chunk is parsed as fileNode, as a whole. The
// chunks are the file's items in order, so the tree is the one the whole
// file would give, positions and all (TestChunksMatchWhole holds the two
// to it).
//
// A file that fails anywhere — a lexical error, a chunk participle
// refuses, more items than participle's limit on repetitions — is parsed
// again as a whole (parseWhole), which words its errors as it always
// has.

// chunkMin is the least number of tokens of a chunk but the last
// (a variable: a test cuts a file after every item).
var chunkMin = 2048

const (
	// windowMin is the tokens a window holds at first; a chunk that
	// holds more (one item of thousands of tokens) grows it.
	windowMin = 4096
	// windowKeep is the largest window kept for the next file.
	windowKeep = 1 << 15
)

// headParser, middleParser and tailParser parse the chunks of a file
// (parser parses a file of one chunk).
var (
	headParser = sync.OnceValue(func() *participle.Parser[headNode] {
		return participle.MustBuild[headNode](treeOptions()...)
	})
	middleParser = sync.OnceValue(func() *participle.Parser[middleNode] {
		return participle.MustBuild[middleNode](treeOptions()...)
	})
	tailParser = sync.OnceValue(func() *participle.Parser[tailNode] {
		return participle.MustBuild[tailNode](treeOptions()...)
	})
)

// tokenWindow is a PeekingLexer whose array of tokens is written over
// for each chunk: toks is that array itself (PeekingLexer.Range returns
// a slice of it), so the tokens the scanner writes there are the ones
// participle reads, from the first after the window is reset.
type tokenWindow struct {
	peek *lexer.PeekingLexer
	toks []lexer.Token
	used int // tokens written since the window was cleared
}

// windows keeps a few windows between files. Not a sync.Pool: a pool
// is emptied by every other collection, and parsing a large file
// collects often; a new window costs twice its size in allocations.
var windows struct {
	sync.Mutex
	free []*tokenWindow
}

// getWindow returns a kept window, or a new one.
func getWindow() *tokenWindow {
	windows.Lock()
	defer windows.Unlock()
	if n := len(windows.free); n > 0 {
		w := windows.free[n-1]
		windows.free = windows.free[:n-1]
		return w
	}
	return newTokenWindow(windowMin)
}

// newTokenWindow returns a window of n tokens.
func newTokenWindow(n int) *tokenWindow {
	peek, _ := lexer.Upgrade(&fillLexer{n: n}) // fillLexer never fails
	return &tokenWindow{peek: peek, toks: peek.Range(0, lexer.RawCursor(n))}
}

// fillLexer yields n-1 tokens and an EOF: the array of a new window.
type fillLexer struct{ n int }

func (l *fillLexer) Next() (lexer.Token, error) {
	if l.n--; l.n <= 0 {
		return lexer.Token{Type: lexer.EOF}, nil
	}
	return lexer.Token{Type: tokBad}, nil
}

// reset puts the window's cursor on its first token, and reports whether
// that is toks[0]: whether participle reads what is written in toks
// (if a later participle copied its tokens out of Range, parseSyntax
// would parse every file whole).
func (w *tokenWindow) reset() bool {
	w.peek.LoadCheckpoint(lexer.Checkpoint{})
	return w.peek.Peek() == &w.toks[0]
}

// grow returns a window twice as large holding the first n tokens of w.
func (w *tokenWindow) grow(n int) *tokenWindow {
	g := newTokenWindow(2 * len(w.toks))
	copy(g.toks, w.toks[:n])
	g.used = n
	return g
}

// release clears the tokens written (they point into the file's text)
// and keeps the window for the next file, unless it has grown large or
// there are already as many windows kept as files can be parsed at once.
func (w *tokenWindow) release() {
	if len(w.toks) > windowKeep {
		return
	}
	clear(w.toks[:w.used])
	w.used = 0
	windows.Lock()
	defer windows.Unlock()
	if len(windows.free) < runtime.GOMAXPROCS(0) {
		windows.free = append(windows.free, w)
	}
}

// treeFile is the Filename of the positions in a file's tree: none.
// Errors take the file's name from their errorSink, and nothing reads it
// from a position; in every position of the tree (some 20 a task) it
// would be a pointer for the collector to follow, about a third of the
// pointers it finds in the tree, and a third of a large parse's
// instructions went into following them.
const treeFile = ""

// chunker cuts a file into chunks, each scanned into a window.
type chunker struct {
	w     *tokenWindow
	sc    *scanner
	check tokenCheck
	depth int // of braces, before the next token
}

func newChunker(filename, text string) *chunker {
	return &chunker{
		w:     getWindow(),
		sc:    newScanner(treeFile, text, false),
		check: tokenCheck{src: text, errs: &errorSink{file: filename}},
	}
}

// next scans the next chunk into the window, with an EOF after it,
// checks its tokens and puts the window's cursor on its first: eof
// says it is the last chunk. ok is false at a lexical error (or if
// participle would not read the window).
func (c *chunker) next() (eof, ok bool) {
	w, n := c.w, 0
	for {
		if n == len(w.toks)-1 {
			w = w.grow(n)
			c.w = w
		}
		t := &w.toks[n]
		c.sc.scanInto(t)
		n++
		if t.EOF() {
			eof = true
			break
		}
		if t.Type == tokPunct {
			if t.Value == "{" {
				c.depth++
			} else if t.Value == "}" {
				if c.depth--; c.depth == 1 && n >= chunkMin {
					break
				}
			}
		}
	}
	w.used = max(w.used, n+1)
	c.check.check(w.toks[:n])
	if !c.check.errs.empty() {
		return eof, false
	}
	if !eof {
		w.toks[n] = lexer.EOFToken(c.sc.pos)
	}
	return eof, w.reset()
}

// parseChunks parses text in chunks (see above) and says in how many;
// it returns nil when the file does not parse that way, for whatever
// reason: parseWhole then parses it and words its errors.
func parseChunks(filename, text string) (syn *syntax, chunks int) {
	c := newChunker(filename, text)
	defer func() { c.w.release() }()
	var (
		head  *headNode
		items []*topItem
	)
	for ; ; chunks++ {
		eof, ok := c.next()
		if !ok {
			return nil, 0
		}
		peek := c.w.peek
		var chunk []*topItem
		switch {
		case chunks == 0 && eof:
			f, err := parser().ParseFromLexer(peek)
			if err != nil {
				return nil, 0
			}
			f.Scenario.finish()
			return &syntax{text: text, ast: f, refs: c.sc.refs}, 1
		case chunks == 0:
			h, err := headParser().ParseFromLexer(peek)
			if err != nil {
				return nil, 0
			}
			head, chunk = h, finishItems(h.Items)
		case eof:
			t, err := tailParser().ParseFromLexer(peek)
			if err != nil {
				return nil, 0
			}
			chunk = finishItems(t.Items)
		default:
			m, err := middleParser().ParseFromLexer(peek)
			if err != nil {
				return nil, 0
			}
			chunk = finishItems(m.Items)
		}
		items = append(items, chunk...)
		if len(items) >= participle.MaxIterations {
			// too many items in one block, which the whole file's
			// `TopItem*` refuses
			return nil, 0
		}
		if eof {
			break
		}
	}
	ast := &fileNode{Scenario: &scenarioNode{Pos: head.Pos, Title: head.Title, Items: items}}
	return &syntax{text: text, ast: ast, refs: c.sc.refs}, chunks + 1
}
