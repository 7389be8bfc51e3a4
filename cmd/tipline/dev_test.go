package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDevSeed(t *testing.T) {
	env := map[string]string{"TIPLINE_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	stdout, stderr, code := runTipline(t, env, "dev", "seed", "--submissions", "50", "--entities", "20", "--seed", "3")
	if code != 0 || !strings.HasPrefix(stdout, "seeded 50 submissions, 20 entities") {
		t.Fatalf("dev seed: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	stdout, _, code = runTipline(t, env, "submissions", "list", "--desk", "seed-export-control")
	if code != 0 || strings.Count(stdout, "\n") < 10 {
		t.Errorf("submissions list after seeding: exit %d\n%s", code, stdout)
	}
	if _, stderr, code := runTipline(t, env, "dev", "seed", "--submissions", "-1"); code != 1 || !strings.Contains(stderr, "negative") {
		t.Errorf("negative count: exit %d, %s", code, stderr)
	}
	stdout, stderr, code = runTipline(t, env, "dev", "seed", "--help")
	if code != 0 || !strings.Contains(stdout+stderr, "DEVELOPMENT ONLY") {
		t.Errorf("dev seed --help: exit %d, does not say it is for development only:\n%s%s", code, stdout, stderr)
	}
	if stdout, _, _ := runTipline(t, env, "help"); !strings.Contains(stdout, "development only") {
		t.Errorf("help does not mark dev as development only:\n%s", stdout)
	}
}
