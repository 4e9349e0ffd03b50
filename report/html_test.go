package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

// htmlReport runs scenario files and renders them as one page.
func htmlReport(t *testing.T, files ...string) ([]byte, []*simulator.Result) {
	t.Helper()
	var sections []*HTMLSection
	var results []*simulator.Result
	for _, f := range files {
		sc, err := dsl.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rec := NewRecorder(sc, HTMLRecorderOptions())
		res, err := simulator.Run(sc, simulator.Options{Trace: rec.Trace})
		if err != nil {
			t.Fatal(err)
		}
		sec, err := NewHTMLSection(res, rec, "")
		if err != nil {
			t.Fatal(err)
		}
		sections = append(sections, sec)
		results = append(results, res)
	}
	var b bytes.Buffer
	if err := HTML(&b, sections); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), results
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func walk(n *html.Node, visit func(*html.Node)) {
	visit(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	})
	return b.String()
}

func TestHTMLStructure(t *testing.T) {
	page, results := htmlReport(t, "testdata/timeline/gil.sim", "testdata/html/evil.sim")
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var svgs, rects, sections, latency int
	var headings []string
	classes := map[string]int{}
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script", "link", "iframe", "img", "object", "embed":
			t.Errorf("page has a <%s> element", n.Data)
		case "svg":
			if attr(n, "class") == "gantt" {
				svgs++
			}
		case "rect":
			if c := attr(n, "class"); strings.HasPrefix(c, "s-") {
				rects++
				classes[c]++
			}
		case "section":
			sections++
		case "h2":
			headings = append(headings, text(n))
		case "h3":
			if text(n) == "Latency" {
				latency++
			}
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has an event handler attribute %s=%q", n.Data, a.Key, a.Val)
			}
			switch a.Key {
			case "href":
				if !strings.HasPrefix(a.Val, "#") {
					t.Errorf("<%s href=%q> leaves the page", n.Data, a.Val)
				}
			case "src":
				t.Errorf("<%s src=%q> fetches something", n.Data, a.Val)
			}
		}
	})
	// gil.sim has a replica group (cpu x 2), evil.sim none
	if latency != 1 {
		t.Errorf("%d latency tables, want 1", latency)
	}
	if sections != 2 || svgs != 2 {
		t.Errorf("%d sections and %d Gantt charts, want 2 and 2", sections, svgs)
	}
	if rects == 0 || classes["s-run"] == 0 || classes["s-gil"] == 0 {
		t.Errorf("chart rectangles by state: %v; want running and GIL wait among them", classes)
	}
	if len(headings) != 2 || headings[1] != results[1].Scenario {
		t.Errorf("headings %q; want the second to be the scenario title %q as text", headings, results[1].Scenario)
	}
	if bytes.Contains(page, []byte("<script>")) || bytes.Contains(page, []byte("<img")) {
		t.Error("a scenario name reached the page unescaped")
	}
	if !bytes.Contains(page, []byte("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co")) {
		t.Error("the escaped scenario title is missing")
	}
	// No URL but the SVG namespace, which is a name, not a fetch.
	if n, ns := bytes.Count(page, []byte("http")), bytes.Count(page, []byte(`xmlns="http://www.w3.org/2000/svg"`)); n != ns {
		t.Errorf("the page names %d URLs besides the SVG namespace", n-ns)
	}
}

// TestHTMLInChromium opens a report in headless Chromium, takes a
// screenshot and checks that the chart's colours are on it.
func TestHTMLInChromium(t *testing.T) {
	browser := "/usr/bin/chromium"
	if _, err := os.Stat(browser); err != nil {
		if browser, err = exec.LookPath("chromium"); err != nil {
			t.Skip("chromium is not installed (apt-get install chromium); the HTML report was not checked in a browser")
		}
	}
	if testing.Short() {
		t.Skip("starting a browser is slow; skipped in -short mode")
	}
	page, _ := htmlReport(t, "testdata/timeline/gil.sim")
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1200,900"}

	dom, err := exec.CommandContext(ctx, browser, append(base, "--dump-dom", "file://"+file)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	doc, err := html.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatal(err)
	}
	var svg, rects int
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "svg" && attr(n, "class") == "gantt" {
			svg++
			walk(n, func(r *html.Node) {
				if r.Type == html.ElementNode && r.Data == "rect" && strings.HasPrefix(attr(r, "class"), "s-") {
					rects++
				}
			})
		}
	})
	if svg != 1 || rects == 0 {
		t.Fatalf("the browser's DOM has %d Gantt charts with %d state rectangles; want 1 with some", svg, rects)
	}

	if out, err := exec.CommandContext(ctx, browser, append(base, "--screenshot="+shot, "file://"+file)...).CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Count pixels of the running and GIL-wait colours (#2da44e, #cf222e).
	var green, red int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			switch {
			case near(r, 0x2d) && near(g, 0xa4) && near(bl, 0x4e):
				green++
			case near(r, 0xcf) && near(g, 0x22) && near(bl, 0x2e):
				red++
			}
		}
	}
	if green < 2000 || red < 2000 {
		t.Errorf("screenshot has %d running and %d GIL-wait pixels; the chart did not render", green, red)
	}
}

func near(v, want uint32) bool { return v+6 >= want && v <= want+6 }
