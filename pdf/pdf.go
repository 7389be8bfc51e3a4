// Package pdf prints HTML documents to PDF with headless Chromium through
// chromedp. The document is set from memory, never fetched: it must carry
// its styles inline, scripts do not run, and every request it makes anyway
// fails. At most MaxPrints documents print at once, in a Chromium started
// for each (in its sandbox where the platform allows one) or in a running
// one reached over the DevTools protocol, such as a container's.
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
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/tipline/tipline"
)

// MaxPrints is how many documents print at once; each is a Chromium of a
// few hundred megabytes.
const MaxPrints = 2

// printing holds a slot for each print under way.
var printing = make(chan struct{}, MaxPrints)

// ErrBusy refuses a print while MaxPrints others are under way.
var ErrBusy = tipline.Errorf(tipline.Unavailable, "Busy: %d reports are being printed. Try again in a minute.", MaxPrints)

// Browser is the Chromium that prints: a binary started afresh for each
// print, or one already running (such as a container's) reached over the
// DevTools protocol.
type Browser struct {
	// Path is a Chromium binary, started for each print with a profile of
	// its own.
	Path string
	// URL is the DevTools address of a running Chromium, ws://HOST:PORT/…
	// or http://HOST:PORT; each print gets a new browser context (profile)
	// there, disposed of afterwards. When set, Path is not used.
	URL string
}

// FindBrowser returns the Browser of the settings TIPLINE_CHROMIUM_URL
// (url) and TIPLINE_CHROMIUM (path): the running Chromium at url when set,
// else the binary at path, else the first Chromium or Chrome binary on
// PATH.
func FindBrowser(path, url string) (Browser, error) {
	if url != "" {
		return Browser{URL: url}, nil
	}
	if path != "" {
		return Browser{Path: path}, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return Browser{Path: p}, nil
		}
	}
	return Browser{}, errors.New("pdf: no Chromium found: install chromium, or set TIPLINE_CHROMIUM or TIPLINE_CHROMIUM_URL")
}

// String names the browser in errors: its binary or its address.
func (b Browser) String() string {
	if b.URL != "" {
		return b.URL
	}
	return b.Path
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

// Print renders html in a fresh tab of browser b and returns the PDF, on
// Letter paper with its backgrounds, the header and footer of o, and
// o.Info. Scripts do not run and every request of the document fails. It
// refuses with ErrBusy while MaxPrints prints are under way.
func Print(ctx context.Context, b Browser, html []byte, o Options) ([]byte, error) {
	select {
	case printing <- struct{}{}:
		defer func() { <-printing }()
	default:
		return nil, ErrBusy
	}
	bctx, closeTab, err := b.open(ctx, o.Log)
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	defer closeTab()
	stop := context.AfterFunc(ctx, closeTab)
	defer stop()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		return nil, fmt.Errorf("pdf: start %s: %w", b, err)
	}
	if err := chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})); err != nil {
		return nil, fmt.Errorf("pdf: turn scripts off: %w", err)
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
		return nil, fmt.Errorf("pdf: load the document in %s: %w", b, err)
	}
	for _, err := range loaded {
		if err != nil {
			return nil, fmt.Errorf("pdf: load the document in %s: %w", b, err)
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

// open starts a tab for one print: in a Chromium started for it, or in a
// new browser context of the running Chromium at b.URL. closeTab closes
// the tab, and the browser or browser context with it.
func (b Browser) open(ctx context.Context, log *slog.Logger) (tab context.Context, closeTab func(), err error) {
	// The browser outlives ctx until closeTab, so that a cancelled print
	// still shuts it down in order.
	parent := context.WithoutCancel(ctx)
	if b.URL != "" {
		alloc, cancelAlloc := remote.NewAllocator(parent, b.URL)
		tab, cancelTab := chromedp.NewContext(alloc, chromedp.WithNewBrowserContext())
		return tab, func() { cancelTab(); cancelAlloc() }, nil
	}
	tmp, err := os.MkdirTemp("", "tipline-pdf")
	if err != nil {
		return nil, nil, err
	}
	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(b.Path),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(tmp),
	}
	if ok, why := sandboxAllowed(); !ok {
		flags = append(flags, chromedp.NoSandbox)
		noSandboxOnce.Do(func() {
			if log == nil {
				log = slog.Default()
			}
			log.Warn("pdf: Chromium prints without its sandbox", "why", why)
		})
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(parent, flags...)
	tab, cancelTab := chromedp.NewContext(alloc)
	return tab, func() { cancelTab(); cancelAlloc(); os.RemoveAll(tmp) }, nil
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
