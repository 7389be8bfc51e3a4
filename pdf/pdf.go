// Package pdf prints HTML documents to PDF with headless Chromium through
// chromedp. The document is set from memory, never fetched: it must carry
// its styles inline, and every request it makes anyway fails. At most
// MaxPrints documents print at once; Chromium runs in its sandbox where the
// platform allows one.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline"
)

// MaxPrints is how many documents print at once; each is a Chromium of a
// few hundred megabytes.
const MaxPrints = 2

// printing holds a slot for each print under way.
var printing = make(chan struct{}, MaxPrints)

// ErrBusy refuses a print while MaxPrints others are under way.
var ErrBusy = tipline.Errorf(tipline.Unavailable, "Busy: %d reports are being printed. Try again in a minute.", MaxPrints)

// FindChromium returns path when set, or the first Chromium or Chrome
// binary on PATH.
func FindChromium(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("pdf: no Chromium found: install chromium or set TIPLINE_CHROMIUM")
}

// Options are what a print adds to the document.
type Options struct {
	// Header and Footer are HTML templates Chromium repeats on every
	// page, in the top and bottom margins; an element of class
	// pageNumber, totalPages, title or date gets that value. They must
	// set their own font size.
	Header, Footer string
	// Info is the document information the PDF carries (SetInfo).
	Info Info
	// Log notes once why Chromium runs without its sandbox; nil for
	// slog.Default.
	Log *slog.Logger
}

// Print renders html in a fresh headless Chromium at chromium (a binary
// path) and returns the PDF, on Letter paper with its backgrounds, the
// header and footer of o, and o.Info. It refuses with ErrBusy while
// MaxPrints prints are under way.
func Print(ctx context.Context, chromium string, html []byte, o Options) ([]byte, error) {
	select {
	case printing <- struct{}{}:
		defer func() { <-printing }()
	default:
		return nil, ErrBusy
	}
	tmp, err := os.MkdirTemp("", "tipline-pdf")
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	defer os.RemoveAll(tmp)
	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("blink-settings", "scriptEnabled=false"),
		chromedp.UserDataDir(tmp),
	}
	if ok, why := sandboxAllowed(); !ok {
		flags = append(flags, chromedp.NoSandbox)
		noSandboxOnce.Do(func() {
			log := o.Log
			if log == nil {
				log = slog.Default()
			}
			log.Warn("pdf: Chromium prints without its sandbox", "why", why)
		})
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.WithoutCancel(ctx), flags...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		return nil, fmt.Errorf("pdf: start %s: %w", chromium, err)
	}
	if err := blockRequests(bctx); err != nil {
		return nil, fmt.Errorf("pdf: block the document's requests: %w", err)
	}
	// Print once the document and what it embeds (data: URLs) loaded.
	loaded := chromedp.Events(bctx, page.LoadEventFired)
	if err := chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(html)})
		return err
	})); err != nil {
		return nil, fmt.Errorf("pdf: load the document in %s: %w", chromium, err)
	}
	for _, err := range loaded {
		if err != nil {
			return nil, fmt.Errorf("pdf: load the document in %s: %w", chromium, err)
		}
		break
	}
	opts := []chromedp.PDFOption{chromedp.PDFPaper(chromedp.PaperLetter), chromedp.PDFPrintBackground(), chromedp.PDFOutlineAndTagged()}
	if o.Header != "" || o.Footer != "" {
		// Chromium prints its own header or footer for one left empty.
		opts = append(opts, chromedp.PDFHeaderTemplate(orEmpty(o.Header)), chromedp.PDFFooterTemplate(orEmpty(o.Footer)),
			chromedp.PDFMargins(0.85, 0.75, 0.85, 0.75))
	} else {
		opts = append(opts, chromedp.PDFMargin(0.5))
	}
	out, err := chromedp.Run(bctx, chromedp.PrintToPDF(opts...))
	if err != nil {
		return nil, fmt.Errorf("pdf: print: %w", err)
	}
	if o.Info == (Info{}) {
		return out, nil
	}
	return SetInfo(out, o.Info)
}

func orEmpty(template string) string {
	if template == "" {
		return "<span></span>"
	}
	return template
}

// blockRequests makes every request of the page fail, except data: and
// about: URLs, which load nothing from anywhere: the document is whole,
// and a reference it carries must not reach a network.
func blockRequests(ctx context.Context) error {
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}})
		return err
	})); err != nil {
		return err
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return // the browser is gone
			}
			_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				if u := ev.Request.URL; strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "about:") {
					_, err := cdp.Call(ctx, t, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
					return err
				}
				_, err := cdp.Call(ctx, t, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
				return err
			}))
		}
	}()
	return nil
}

var noSandboxOnce sync.Once

// sandboxAllowed reports whether Chromium can run in its sandbox here and,
// when not, why: Chromium refuses its sandbox to root, and its namespace
// sandbox needs unprivileged user namespaces.
func sandboxAllowed() (bool, string) {
	if os.Geteuid() == 0 {
		return false, "running as root, where Chromium refuses its sandbox; run tipline as an unprivileged user"
	}
	for _, sysctl := range []string{"/proc/sys/kernel/unprivileged_userns_clone", "/proc/sys/user/max_user_namespaces"} {
		if b, err := os.ReadFile(sysctl); err == nil && strings.TrimSpace(string(b)) == "0" {
			return false, "unprivileged user namespaces are off (" + strings.TrimPrefix(sysctl, "/proc/sys/") + " = 0)"
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"); err == nil && strings.TrimSpace(string(b)) == "1" {
		return false, "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)"
	}
	return true, ""
}
