package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line bar on stderr while a batch runs, when stderr
// is a terminal and the batch has more than a few runs. It is a dozen
// lines rather than a library: it must share stderr with the batch's own
// messages (it clears itself before each and redraws after), and that is
// most of what it does.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	width    int
	done     int
	total    int
	shown    bool
	last     time.Time
	disabled bool
}

// minProgressRuns is the batch size from which a bar is worth drawing.
const minProgressRuns = 4

// newProgress returns a bar on w, or a disabled one when w is not a
// terminal. A nil *progress is disabled too.
func newProgress(w io.Writer, terminal func(io.Writer) (int, bool)) *progress {
	cols, ok := terminal(w)
	if !ok {
		return &progress{w: w, disabled: true}
	}
	if cols <= 20 {
		cols = 80 // unknown, or too narrow to believe
	}
	return &progress{w: w, width: cols}
}

// Add announces n more runs (app.Progress).
func (p *progress) Add(n int) {
	if p == nil || p.disabled {
		return
	}
	p.mu.Lock()
	p.total += n
	p.mu.Unlock()
}

// Step counts n runs done (app.Progress).
func (p *progress) Step(n int) {
	if p == nil || p.disabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if time.Since(p.last) >= 100*time.Millisecond || p.done == p.total {
		p.draw()
	}
}

// draw must be called with mu held.
func (p *progress) draw() {
	if p.total < minProgressRuns {
		return
	}
	counter := fmt.Sprintf(" %d/%d runs", p.done, p.total)
	barWidth := max(10, min(50, p.width-len(counter)-3))
	filled := barWidth * p.done / max(1, p.total)
	bar := "[" + strings.Repeat("=", filled) + strings.Repeat(" ", barWidth-filled) + "]"
	fmt.Fprintf(p.w, "\r%s%s\x1b[K", bar, counter)
	p.shown = true
	p.last = time.Now()
}

// clear must be called with mu held.
func (p *progress) clear() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// Write writes a message to stderr under the bar: the bar is cleared
// first and drawn again after.
func (p *progress) Write(b []byte) (int, error) {
	if p == nil || p.disabled {
		return p.w.Write(b)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	wasShown := p.shown
	p.clear()
	n, err := p.w.Write(b)
	if wasShown {
		p.draw()
	}
	return n, err
}

// finish removes the bar.
func (p *progress) finish() {
	if p == nil || p.disabled {
		return
	}
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}
