package config_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/config"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load("serve", nil, envOf(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{
		DataDir:           "./tipline-data",
		IntakeAddr:        "127.0.0.1:8080",
		CaseworkAddr:      "127.0.0.1:8081",
		DatabaseURL:       filepath.Join("tipline-data", "tipline.db"),
		BlobURL:           filepath.Join("tipline-data", "blobs"),
		Migrate:           true,
		MaxRequestBytes:   1 << 20,
		ShutdownTimeout:   30 * time.Second,
		StartupTimeout:    3 * time.Minute,
		LogLevel:          "info",
		MaxFormUpload:     500 << 20,
		MaxFileBytes:      2 << 30,
		UploadTimeout:     2 * time.Hour,
		MaxUploadSessions: 10000,
		UploadMinRate:     8 << 10,
		UploadGrace:       time.Minute,
		UploadIdle:        30 * time.Minute,
		PendingMaxAge:     24 * time.Hour,
		JanitorInterval:   15 * time.Minute,
		DiskMinFree:       256 << 20,
		DeskHourlyLimit:   120,
		TotalHourlyLimit:  600,

		PendingBytesBudget:    16 << 30,
		CommittedBytesPerHour: 8 << 30,
		Notify:                config.Notify{CaseworkURL: "http://127.0.0.1:8081", SMTPPort: 587, SMTPTLS: "starttls", DigestHour: 7, Sender: true},
	}
	if *c != want {
		t.Errorf("defaults\n got %+v\nwant %+v", *c, want)
	}
}

func TestLoadSources(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "db-url")
	if err := os.WriteFile(secretFile, []byte("postgres://tipline:pw@db:5432/tipline\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(*config.Config) bool
	}{
		{"Env", map[string]string{"TIPLINE_INTAKE_ADDR": "0.0.0.0:9000"}, nil,
			func(c *config.Config) bool { return c.IntakeAddr == "0.0.0.0:9000" }},
		{"FlagOverridesEnv", map[string]string{"TIPLINE_INTAKE_ADDR": "0.0.0.0:9000"}, []string{"--intake-addr", "127.0.0.1:9001"},
			func(c *config.Config) bool { return c.IntakeAddr == "127.0.0.1:9001" }},
		{"FileTwin", map[string]string{"TIPLINE_DATABASE_URL_FILE": secretFile}, nil,
			func(c *config.Config) bool { return c.DatabaseURL == "postgres://tipline:pw@db:5432/tipline" }},
		{"DataDirMovesDefaults", map[string]string{"TIPLINE_DATA_DIR": "/srv/t"}, nil,
			func(c *config.Config) bool {
				return c.DatabaseURL == "/srv/t/tipline.db" && c.BlobURL == "/srv/t/blobs"
			}},
		{"S3BlobURL", map[string]string{"TIPLINE_BLOB_URL": "s3://ak:sk@minio:9000/tips?tls=false"}, nil,
			func(c *config.Config) bool { return c.BlobURL == "s3://ak:sk@minio:9000/tips?tls=false" }},
		{"MigrateOff", nil, []string{"--migrate=false"},
			func(c *config.Config) bool { return !c.Migrate }},
		{"ChromiumURLWs", map[string]string{"TIPLINE_CHROMIUM_URL": "ws://chromium:9222"}, nil,
			func(c *config.Config) bool { return c.ChromiumURL == "ws://chromium:9222" }},
		{"ChromiumURLHTTP", nil, []string{"--chromium-url", "http://10.1.2.3:9222"},
			func(c *config.Config) bool { return c.ChromiumURL == "http://10.1.2.3:9222" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load("serve", tt.args, envOf(tt.env), &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("unexpected config %+v", *c)
			}
		})
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // the setting the error must name
	}{
		{"BadAddr", map[string]string{"TIPLINE_INTAKE_ADDR": "8080"}, nil, "TIPLINE_INTAKE_ADDR"},
		{"BadPort", nil, []string{"--casework-addr", "127.0.0.1:99999"}, "TIPLINE_CASEWORK_ADDR"},
		{"SameAddr", map[string]string{"TIPLINE_INTAKE_ADDR": "127.0.0.1:9000", "TIPLINE_CASEWORK_ADDR": "127.0.0.1:9000"}, nil, "TIPLINE_CASEWORK_ADDR"},
		{"MetricsOnIntake", map[string]string{"TIPLINE_INTAKE_ADDR": "127.0.0.1:9000", "TIPLINE_METRICS_ADDR": "127.0.0.1:9000"}, nil, "TIPLINE_METRICS_ADDR"},
		{"BadMetricsAddr", nil, []string{"--metrics-addr", "9464"}, "TIPLINE_METRICS_ADDR"},
		{"BadDatabaseScheme", map[string]string{"TIPLINE_DATABASE_URL": "mysql://u:hunter2@db/x"}, nil, "TIPLINE_DATABASE_URL"},
		{"BadBlobURL", map[string]string{"TIPLINE_BLOB_URL": "s3://ak:hunter2@minio:9000/?tls=maybe"}, nil, "TIPLINE_BLOB_URL"},
		{"BothFileAndValue", map[string]string{"TIPLINE_BLOB_URL": "/x", "TIPLINE_BLOB_URL_FILE": "/y"}, nil, "TIPLINE_BLOB_URL"},
		{"MissingFile", map[string]string{"TIPLINE_DATABASE_URL_FILE": "/nonexistent/secret"}, nil, "TIPLINE_DATABASE_URL_FILE"},
		{"BadBool", map[string]string{"TIPLINE_MIGRATE": "perhaps"}, nil, "TIPLINE_MIGRATE"},
		{"BadBytes", map[string]string{"TIPLINE_MAX_REQUEST_BYTES": "-1"}, nil, "TIPLINE_MAX_REQUEST_BYTES"},
		{"BadDuration", nil, []string{"--shutdown-timeout", "soon"}, "TIPLINE_SHUTDOWN_TIMEOUT"},
		{"ShortPepper", map[string]string{"TIPLINE_PEPPER": "abcd"}, nil, "TIPLINE_PEPPER"},
		{"BadOnion", map[string]string{"TIPLINE_ONION_ADDRESS": "http://example.org"}, nil, "TIPLINE_ONION_ADDRESS"},
		{"ChromiumURLNotDevTools", map[string]string{"TIPLINE_CHROMIUM_URL": "/usr/bin/chromium"}, nil, "TIPLINE_CHROMIUM_URL"},
		{"ChromiumURLNoPort", map[string]string{"TIPLINE_CHROMIUM_URL": "ws://chromium"}, nil, "TIPLINE_CHROMIUM_URL"},
		{"ChromiumURLHTTPS", map[string]string{"TIPLINE_CHROMIUM_URL": "https://chromium:9222"}, nil, "TIPLINE_CHROMIUM_URL"},
		{"BadLogLevel", map[string]string{"TIPLINE_LOG_LEVEL": "loud"}, nil, "TIPLINE_LOG_LEVEL"},
		{"EmptyDataDir", nil, []string{"--data-dir="}, "TIPLINE_DATA_DIR"},
		{"StrayArgument", nil, []string{"extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load("serve", tt.args, envOf(tt.env), &bytes.Buffer{})
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q repeats a secret", err)
			}
		})
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	_, err := config.Load("serve", []string{"--help"}, envOf(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Load(--help) error = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{
		"TIPLINE_DATA_DIR", "TIPLINE_INTAKE_ADDR", "TIPLINE_CASEWORK_ADDR", "TIPLINE_DATABASE_URL",
		"TIPLINE_BLOB_URL", "TIPLINE_MIGRATE", "TIPLINE_MAX_REQUEST_BYTES", "TIPLINE_SHUTDOWN_TIMEOUT",
		"TIPLINE_LOG_LEVEL", "--intake-addr", "127.0.0.1:8080", "127.0.0.1:8081", "./tipline-data", "_FILE",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not mention %q", want)
		}
	}
}
