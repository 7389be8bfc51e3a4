package config_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipline/tipline/config"
)

// TestPepperPlacement: with PostgreSQL the pepper may not be a file inside
// the data folder (the made-on-first-use default included); with SQLite the
// embedded default keeps its own pepper file there.
func TestPepperPlacement(t *testing.T) {
	dataDir := t.TempDir()
	inside := filepath.Join(dataDir, "secrets", "pepper")
	outside := filepath.Join(t.TempDir(), "pepper")
	for _, f := range []string{inside, outside} {
		if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const postgres = "postgres://tipline:secret@db.internal:5432/tipline"
	for _, tc := range []struct {
		name   string
		env    map[string]string
		refuse bool
	}{
		{"SQLite with the default pepper file", map[string]string{}, false},
		{"PostgreSQL with the default pepper file", map[string]string{"TIPLINE_DATABASE_URL": postgres}, true},
		{"PostgreSQL with a pepper file in the data folder", map[string]string{"TIPLINE_DATABASE_URL": postgres, "TIPLINE_PEPPER_FILE": inside}, true},
		{"PostgreSQL with a pepper file elsewhere", map[string]string{"TIPLINE_DATABASE_URL": postgres, "TIPLINE_PEPPER_FILE": outside}, false},
		{"PostgreSQL with TIPLINE_PEPPER", map[string]string{"TIPLINE_DATABASE_URL": postgres, "TIPLINE_PEPPER": strings.Repeat("cd", 32)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["TIPLINE_DATA_DIR"] = dataDir
			cfg, err := config.Load("serve", nil, func(k string) string { return tc.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.CheckPepperPlacement()
			switch {
			case tc.refuse && (err == nil || !strings.Contains(err.Error(), "TIPLINE_DATA_DIR")):
				t.Errorf("CheckPepperPlacement = %v, want a refusal naming TIPLINE_DATA_DIR", err)
			case !tc.refuse && err != nil:
				t.Errorf("CheckPepperPlacement = %v, want nil", err)
			}
		})
	}
}
