package main

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/notify"
	"github.com/tipline/tipline/store"
)

// newNotify builds staff notices: the settings service for the casework
// pages, the sender loop, and the queue intake tells of tips and messages
// (set as in.Events).
func newNotify(cfg *config.Config, db *database.DB, in *intake.Service, log *slog.Logger) (*notify.Service, *notify.Sender, error) {
	sealer, err := in.Pepper.Sealer(notify.WebhookSealLabel)
	if err != nil {
		return nil, nil, err
	}
	mail, err := newMailer(cfg.Notify)
	if err != nil {
		return nil, nil, err
	}
	st := store.New(db)
	in.Events = &notify.Queue{Store: st, Logger: in.Logger, Now: time.Now}
	sender := &notify.Sender{Store: st, HTTP: notify.NewWebhookClient(), Sealer: sealer,
		QueueURL: cfg.Notify.CaseworkURL + "/queue", SettingsURL: cfg.Notify.CaseworkURL + "/settings",
		DigestHour: cfg.Notify.DigestHour, Logger: log.With("component", "notify"), Now: time.Now}
	if mail != nil {
		sender.Mail = mail // a nil *SMTP in the interface would not be nil
	}
	return &notify.Service{Store: st, Sealer: sealer, EmailOn: mail != nil, Now: time.Now}, sender, nil
}

// newMailer returns the SMTP client of the settings; nil when email is off.
func newMailer(n config.Notify) (*notify.SMTP, error) {
	if n.SMTPHost == "" {
		return nil, nil
	}
	m := &notify.SMTP{Addr: net.JoinHostPort(n.SMTPHost, strconv.Itoa(n.SMTPPort)), TLS: notify.TLSMode(n.SMTPTLS),
		Username: n.SMTPUsername, Password: n.SMTPPassword, From: n.SMTPFrom}
	if n.SMTPCAFile != "" {
		pem, err := os.ReadFile(n.SMTPCAFile)
		if err != nil {
			return nil, fmt.Errorf("invalid TIPLINE_SMTP_CA_FILE: %w", err)
		}
		m.RootCAs = x509.NewCertPool()
		if !m.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("invalid TIPLINE_SMTP_CA_FILE: no PEM certificate in %s", n.SMTPCAFile)
		}
	}
	return m, nil
}
