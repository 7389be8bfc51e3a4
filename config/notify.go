package config

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Notify holds the settings of staff notices (package notify).
type Notify struct {
	// CaseworkURL is how staff reach the casework listener, for the links
	// in notices; when not set: http:// and TIPLINE_CASEWORK_ADDR.
	CaseworkURL string
	// CaseworkURLSet says that the operator set CaseworkURL, so that
	// links staff are handed (invitations) use it rather than the address
	// the admin's browser used.
	CaseworkURLSet bool
	// SMTP server; an empty host turns email off.
	SMTPHost     string
	SMTPPort     int
	SMTPTLS      string // starttls, tls or none
	SMTPUsername string
	SMTPPassword string
	SMTPFrom     string
	SMTPCAFile   string // PEM certificates that verify the server; empty: the system's
	// DigestHour is the UTC hour at which daily digests go out.
	DigestHour int
	// Sender runs the sender loop on this node.
	Sender bool
}

// notifySettings are the settings of staff notices.
var notifySettings = []setting{
	{env: "TIPLINE_CASEWORK_URL", flag: "casework-url", shown: "http://TIPLINE_CASEWORK_ADDR",
		help: "address staff open the casework listener at (https://casework.example.org), for the links in notices and invitations",
		set: func(c *Config, v string) error {
			c.Notify.CaseworkURL = strings.TrimRight(v, "/")
			c.Notify.CaseworkURLSet = v != ""
			if v == "" {
				return nil
			}
			if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("must be an http:// or https:// address")
			}
			return nil
		}},
	{env: "TIPLINE_SMTP_HOST", flag: "smtp-host", def: "",
		help: "SMTP server that sends staff notices by email (empty: no email)",
		set:  func(c *Config, v string) error { c.Notify.SMTPHost = v; return nil }},
	{env: "TIPLINE_SMTP_PORT", flag: "smtp-port", def: "587",
		help: "port of the SMTP server (587 for starttls, 465 for tls)",
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > 65535 {
				return errors.New("must be a port number")
			}
			c.Notify.SMTPPort = n
			return nil
		}},
	{env: "TIPLINE_SMTP_TLS", flag: "smtp-tls", def: "starttls",
		help: "starttls (upgrade, refused if the server does not offer it), tls (TLS from the start) or none (only to a relay on this machine)",
		set: func(c *Config, v string) error {
			switch v {
			case "starttls", "tls", "none":
				c.Notify.SMTPTLS = v
				return nil
			}
			return errors.New("must be starttls, tls or none")
		}},
	{env: "TIPLINE_SMTP_USERNAME", flag: "smtp-username", def: "",
		help: "user name for SMTP authentication (empty: none)",
		set:  func(c *Config, v string) error { c.Notify.SMTPUsername = v; return nil }},
	{env: "TIPLINE_SMTP_PASSWORD", flag: "smtp-password", def: "", secret: true,
		help: "password for SMTP authentication",
		set:  func(c *Config, v string) error { c.Notify.SMTPPassword = v; return nil }},
	{env: "TIPLINE_SMTP_FROM", flag: "smtp-from", def: "",
		help: "sender address of notices (required with an SMTP host)",
		set: func(c *Config, v string) error {
			c.Notify.SMTPFrom = v
			if v != "" && (!strings.Contains(v, "@") || strings.ContainsAny(v, "\r\n <>")) {
				return errors.New("must be a bare address such as tipline@example.org")
			}
			return nil
		}},
	{env: "TIPLINE_SMTP_CA_FILE", flag: "smtp-ca-file", def: "",
		help: "PEM file of the certificates that verify the SMTP server (empty: the system's)",
		set:  func(c *Config, v string) error { c.Notify.SMTPCAFile = v; return nil }},
	{env: "TIPLINE_NOTIFY_DIGEST_HOUR", flag: "notify-digest-hour", def: "7",
		help: "UTC hour (0-23) at which daily digests of notices go out",
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 23 {
				return errors.New("must be an hour from 0 to 23")
			}
			c.Notify.DigestHour = n
			return nil
		}},
	{env: "TIPLINE_NOTIFY_SENDER", flag: "notify-sender", def: "true",
		help: "send staff notices from this node; with several app nodes, true on exactly one",
		set: func(c *Config, v string) (err error) {
			c.Notify.Sender, err = strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			return nil
		}},
}

// checkNotify checks the notice settings that depend on each other.
func (c *Config) checkNotify() error {
	n := &c.Notify
	if n.CaseworkURL == "" {
		n.CaseworkURL = "http://" + c.CaseworkAddr
	}
	if n.SMTPHost == "" {
		return nil
	}
	if n.SMTPFrom == "" {
		return errors.New("invalid TIPLINE_SMTP_FROM: required when TIPLINE_SMTP_HOST is set")
	}
	if n.SMTPTLS == "none" {
		if ip := net.ParseIP(n.SMTPHost); n.SMTPHost != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return errors.New("invalid TIPLINE_SMTP_TLS: none is allowed only for an SMTP relay on this machine (localhost, 127.0.0.1, ::1)")
		}
	}
	return nil
}
