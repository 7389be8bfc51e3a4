package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tipline/tipline/config"
)

// healthcheckTimeout bounds one health check; /readyz itself bounds each
// of its dependency checks by a few seconds.
const healthcheckTimeout = 10 * time.Second

// healthcheck is `tipline healthcheck`, the container health check of an
// image without curl: it asks a listener of this deployment for /readyz
// at the address the settings give it, on loopback when that address
// names every interface, and succeeds on 200 only. It checks the casework
// listener unless --listener intake says otherwise: a flood on the public
// intake must not get a healthy node restarted. Every failure, settings
// that cannot be read included, exits with status 1 (Docker reserves 2)
// and one line saying why.
func healthcheck(ctx context.Context, p *program, args []string) error {
	fs := config.NewFlagSet("healthcheck", "[--listener casework|intake]", p.stderr)
	listener := fs.String("listener", "casework", "the listener to ask: casework or intake")
	cfg, rest, err := parseArgs(p, fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return err
	case err != nil:
		return fmt.Errorf("cannot check: %v", err)
	case len(rest) > 0:
		return fmt.Errorf("cannot check: unexpected argument %q", rest[0])
	}
	addr := cfg.CaseworkAddr
	switch *listener {
	case "casework":
	case "intake":
		addr = cfg.IntakeAddr
	default:
		return fmt.Errorf("cannot check: --listener must be casework or intake, not %q", *listener)
	}
	url, err := readyzURL(addr)
	if err != nil {
		return fmt.Errorf("cannot check the %s listener: %w", *listener, err)
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	// Straight to the listener, never through a proxy of the environment.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the %s listener at %s: %v", *listener, url, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		fmt.Fprintf(p.stdout, "ready: the %s listener at %s answers 200\n", *listener, url)
		return nil
	}
	var body struct {
		Failing []string `json:"failing"`
	}
	why := ""
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body) == nil && len(body.Failing) > 0 {
		why = " (failing: " + strings.Join(body.Failing, ", ") + ")"
	}
	return fmt.Errorf("not ready: the %s listener at %s answers %d%s", *listener, url, resp.StatusCode, why)
}

// readyzURL is the /readyz address of a listener bound to addr, on
// loopback when addr names every interface (0.0.0.0, :: or no host).
func readyzURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if port == "0" {
		return "", fmt.Errorf("its address %s has a port chosen at start; give it a fixed one", addr)
	}
	switch ip := net.ParseIP(host); {
	case host == "" || ip.Equal(net.IPv4zero):
		host = "127.0.0.1"
	case ip.Equal(net.IPv6unspecified):
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
