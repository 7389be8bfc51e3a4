package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestServeRefusesPepperInDataDir: with PostgreSQL, serve does not start
// with the pepper file it would make in the data folder, and says why
// before it connects to anything.
func TestServeRefusesPepperInDataDir(t *testing.T) {
	env := map[string]string{
		"TIPLINE_DATA_DIR":     filepath.Join(t.TempDir(), "data"),
		"TIPLINE_DATABASE_URL": "postgres://tipline:secret@127.0.0.1:1/tipline",
	}
	_, errOut, code := runTipline(t, env, "serve")
	if code == 0 || !strings.Contains(errOut, "pepper must not be a file inside TIPLINE_DATA_DIR") {
		t.Errorf("serve = %d, want a refusal naming the pepper and TIPLINE_DATA_DIR:\n%s", code, errOut)
	}
}
