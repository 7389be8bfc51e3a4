package config_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tipline/tipline/config"
)

// TestNotifySettings: the SMTP settings that depend on each other, and the
// casework address: its default, and whether the operator set it.
func TestNotifySettings(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		wantErr string
		wantURL string // CaseworkURL; set by the operator unless it is the default
	}{
		{"email off", nil, "", ""},
		{"starttls", map[string]string{"TIPLINE_SMTP_HOST": "smtp.example.org", "TIPLINE_SMTP_FROM": "tipline@example.org"}, "", ""},
		{"no sender address", map[string]string{"TIPLINE_SMTP_HOST": "smtp.example.org"}, "TIPLINE_SMTP_FROM", ""},
		{"plain text to another machine", map[string]string{"TIPLINE_SMTP_HOST": "smtp.example.org", "TIPLINE_SMTP_FROM": "t@example.org", "TIPLINE_SMTP_TLS": "none"}, "TIPLINE_SMTP_TLS", ""},
		{"plain text to this machine", map[string]string{"TIPLINE_SMTP_HOST": "127.0.0.1", "TIPLINE_SMTP_FROM": "t@example.org", "TIPLINE_SMTP_TLS": "none"}, "", ""},
		{"unknown TLS mode", map[string]string{"TIPLINE_SMTP_TLS": "ssl"}, "TIPLINE_SMTP_TLS", ""},
		{"header injection", map[string]string{"TIPLINE_SMTP_FROM": "t@example.org\r\nBcc: x@example.org"}, "TIPLINE_SMTP_FROM", ""},
		{"digest hour", map[string]string{"TIPLINE_NOTIFY_DIGEST_HOUR": "24"}, "TIPLINE_NOTIFY_DIGEST_HOUR", ""},
		{"casework URL", map[string]string{"TIPLINE_CASEWORK_URL": "casework.example.org"}, "TIPLINE_CASEWORK_URL", ""},
		{"casework URL set", map[string]string{"TIPLINE_CASEWORK_URL": "https://casework.example.org/"}, "", "https://casework.example.org"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load("serve", nil, envOf(tt.env), &bytes.Buffer{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				const defaultURL = "http://127.0.0.1:8081"
				want := tt.wantURL
				if want == "" {
					want = defaultURL
				}
				if c.Notify.CaseworkURL != want || c.Notify.CaseworkURLSet != (want != defaultURL) {
					t.Errorf("CaseworkURL = %q, set %v; want %q", c.Notify.CaseworkURL, c.Notify.CaseworkURLSet, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
}
