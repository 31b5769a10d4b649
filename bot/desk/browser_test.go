package desk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/briefbot/briefbot/bot/desk"
)

// chromium finds Debian's Chromium, or BRIEFBOT_TEST_CHROMIUM.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BRIEFBOT_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser test skipped: Chromium is not installed (apt-get install -y chromium, or set BRIEFBOT_TEST_CHROMIUM to a Chrome binary)")
	return ""
}

// TestBrowserDesk loads the desk in headless Chromium at phone width,
// follows a topic and a section, asks a question, and checks what the
// previews say and that the page logged no errors.
func TestBrowserDesk(t *testing.T) {
	exe := chromium(t)
	h := fixture(t, func(o *desk.Options) { o.Loopback = true })
	mux := http.NewServeMux()
	h.Routes(mux)
	srv := httptest.NewServer(mux) // on 127.0.0.1: the desk opens without a token
	defer srv.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	// Every console message, exception and browser log entry is kept; a
	// last console.info marks the end, so none is missed.
	const endMark = "desk browser test done"
	cctx, stopConsole := context.WithCancel(ctx)
	defer stopConsole()
	messages := chromedp.Console(cctx)
	var (
		mu       sync.Mutex
		problems []string
	)
	sawEnd := make(chan struct{})
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Text == endMark {
				close(sawEnd)
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				mu.Lock()
				problems = append(problems, m.String()+" at "+m.URL)
				mu.Unlock()
			}
		}
	}()

	// The first call starts the browser and must have no deadline.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(expr string) any {
		t.Helper()
		v, err := chromedp.Run(tctx, chromedp.Evaluate[any](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return v
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}

	run("load the desk", chromedp.Navigate(srv.URL+"/desk/"), chromedp.WaitVisible(chromedp.ID("topics")))
	if eval(`document.documentElement.scrollWidth > window.innerWidth`) != false {
		t.Error("the front page is wider than a 375 px phone screen")
	}
	if n := eval(`[...document.querySelectorAll('input')].filter(i => i.labels.length === 0).length`); n != float64(0) {
		t.Errorf("%v inputs have no label", n)
	}
	if n := eval(`document.querySelectorAll('h1').length`); n != float64(1) {
		t.Errorf("%v h1 headings, want 1", n)
	}

	run("follow the topic", chromedp.Click(chromedp.CSS(`a[href="/desk/topic/kazakhstan"]`)), chromedp.WaitVisible(chromedp.ID("preview-slack")))
	if h := text("h1"); h != "Kazakhstan" {
		t.Errorf("topic page heading = %q", h)
	}
	run("follow the risks section",
		chromedp.Click(chromedp.CSS(`nav a[href="/desk/topic/kazakhstan?section=Risks%20%26%20caveats"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href$="Risks%20%26%20caveats"]`)))
	for _, id := range []string{"#preview-slack", "#preview-discord"} {
		if txt := text(id); !strings.Contains(txt, "Risks & caveats") || !strings.Contains(txt, "Symbolic vs substantive") {
			t.Errorf("%s preview of the risks section says:\n%s", id, txt)
		}
	}

	run("open the ask page", chromedp.Click(chromedp.CSS(`header a[href="/desk/ask"]`)), chromedp.WaitVisible(chromedp.ID("q")))
	run("ask", chromedp.SendKeys(chromedp.ID("q"), "kazakstan risks"), chromedp.Submit(chromedp.ID("q")),
		// The answer page, not the empty ask page the question was typed on.
		chromedp.WaitVisible(chromedp.CSS(`#q[value="kazakstan risks"]`)))
	for _, id := range []string{"#preview-slack", "#preview-discord"} {
		if txt := text(id); !strings.Contains(txt, `Showing Kazakhstan for "kazakstan"`) || !strings.Contains(txt, "Symbolic vs substantive") {
			t.Errorf("%s rendering of the asked question says:\n%s", id, txt)
		}
	}

	eval(fmt.Sprintf("console.info(%q)", endMark))
	select {
	case <-sawEnd:
	case <-tctx.Done():
		t.Fatal("the console's messages did not arrive")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("the desk logged errors in the browser:\n%s", strings.Join(problems, "\n"))
	}
}
