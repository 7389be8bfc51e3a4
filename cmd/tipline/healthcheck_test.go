package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHealthcheck runs `tipline healthcheck` against a real serve, as a
// container's health check runs it beside the server with the same
// settings: 0 and one line on stdout while /readyz answers 200, 1 and one
// line on stderr saying why otherwise.
func TestHealthcheck(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "tipline-data")
	r := startServe(t, map[string]string{"TIPLINE_DATA_DIR": dataDir})
	_, caseworkPort, err := net.SplitHostPort(r.casework)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := ln.Addr().String()
	ln.Close()

	check := func(t *testing.T, intake, casework string, args []string, wantCode int, want string) {
		t.Helper()
		env := map[string]string{"TIPLINE_DATA_DIR": dataDir, "TIPLINE_INTAKE_ADDR": intake, "TIPLINE_CASEWORK_ADDR": casework}
		stdout, stderr, code := runTipline(t, env, append([]string{"healthcheck"}, args...)...)
		said := stdout
		if wantCode != 0 {
			said = stderr
		}
		if code != wantCode || !strings.Contains(said, want) || strings.Count(said, "\n") != 1 {
			t.Errorf("healthcheck %v = %d, stdout %q, stderr %q; want %d and one line with %q", args, code, stdout, stderr, wantCode, want)
		}
	}
	for _, tc := range []struct {
		name             string
		intake, casework string
		args             []string
		wantCode         int
		want             string
	}{
		{"casework ready", r.intake, r.casework, nil, 0, "ready: the casework listener at http://" + r.casework + "/readyz answers 200"},
		{"intake ready", r.intake, r.casework, []string{"--listener", "intake"}, 0, "ready: the intake listener at http://" + r.intake + "/readyz"},
		{"every interface is asked on loopback", r.intake, "0.0.0.0:" + caseworkPort, nil, 0, "http://127.0.0.1:" + caseworkPort + "/readyz answers 200"},
		{"nothing listening", r.intake, nobody, nil, 1, "cannot reach the casework listener at http://" + nobody + "/readyz"},
		{"port chosen at start", r.intake, "127.0.0.1:0", nil, 1, "port chosen at start"},
		{"unknown listener", r.intake, r.casework, []string{"--listener", "staff"}, 1, "--listener must be casework or intake"},
		{"settings that cannot be read", r.intake, r.intake, nil, 1, "cannot check: usage error: invalid TIPLINE_CASEWORK_ADDR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, tc.intake, tc.casework, tc.args, tc.wantCode, tc.want)
		})
	}

	t.Run("blob store gone", func(t *testing.T) {
		blobs := filepath.Join(dataDir, "blobs")
		if err := os.Rename(blobs, blobs+".away"); err != nil {
			t.Fatal(err)
		}
		check(t, r.intake, r.casework, nil, 1, "not ready: the casework listener at http://"+r.casework+"/readyz answers 503 (failing: blob store)")
		if err := os.Rename(blobs+".away", blobs); err != nil {
			t.Fatal(err)
		}
		check(t, r.intake, r.casework, nil, 0, "answers 200")
	})
}
