package notify

import (
	"context"
	"encoding/json"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
)

// WebhookSealLabel derives the key that seals webhooks at rest.
const WebhookSealLabel = "tipline notify webhook v1"

// Service reads and changes a staff member's own notification settings.
type Service struct {
	Store  Store
	Sealer *crypto.Sealer // of WebhookSealLabel
	// EmailOn reports whether email is set up (TIPLINE_SMTP_HOST).
	EmailOn bool
	Now     func() time.Time
}

// errRole refuses roles that are told of nothing.
var errRole = tipline.Errorf(tipline.Forbidden, "Notices are about desks' tips; your role works no desk.")

// receives reports whether a role hears of desks' news.
func receives(r casework.Role) bool {
	return r == casework.RoleAdmin || r == casework.RoleInvestigator
}

// Settings returns the caller's settings, the webhook opened.
func (s *Service) Settings(ctx context.Context, p casework.Principal) (Settings, error) {
	if !receives(p.Role) {
		return Settings{}, errRole
	}
	set, sealed, err := s.Store.NotifySettings(ctx, p.UserID)
	if err != nil {
		return Settings{}, err
	}
	set.Webhook, err = openWebhook(s.Sealer, p.UserID, sealed)
	return set, err
}

// Update stores the caller's settings. An empty webhook secret keeps the
// one stored, unless the address is cleared too; clearSecret removes it.
func (s *Service) Update(ctx context.Context, p casework.Principal, in Settings, clearSecret bool) error {
	if !receives(p.Role) {
		return errRole
	}
	in.UserID = p.UserID
	in.Webhook.URL = strings.TrimSpace(in.Webhook.URL)
	if in.Webhook.URL == "" {
		in.Webhook = Webhook{}
	} else if err := checkWebhookURL(in.Webhook.URL); err != nil {
		return err
	}
	if in.Webhook.URL != "" && in.Webhook.Secret == "" && !clearSecret {
		old, err := s.Settings(ctx, p)
		if err != nil {
			return err
		}
		in.Webhook.Secret = old.Webhook.Secret
	}
	var sealed []byte
	if in.Webhook.URL != "" {
		plain, err := json.Marshal(in.Webhook)
		if err != nil {
			return tipline.Wrap(tipline.Internal, err, "Internal error.")
		}
		sealed = s.Sealer.Seal(plain, webhookAAD(p.UserID))
	}
	rec := casework.AuditRecord{At: s.Now(), Actor: p.UserID, Action: ActionSettings, Target: "user:" + strconv.FormatInt(p.UserID, 10),
		Detail: map[string]string{
			"new_tips": strconv.FormatBool(in.NewTips), "messages": strconv.FormatBool(in.Messages),
			"deadlines": strconv.FormatBool(in.Deadlines), "email": strconv.FormatBool(in.ByEmail),
			"digest": strconv.FormatBool(in.Digest), "webhook": strconv.FormatBool(in.Webhook.URL != ""),
		}}
	return s.Store.SetNotifySettings(ctx, in, sealed, rec)
}

// checkWebhookURL accepts https addresses, and http to this machine.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || len(raw) > 2000 {
		return ErrBadWebhook
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
			return nil
		}
	}
	return ErrBadWebhook
}

func webhookAAD(userID int64) []byte {
	return []byte("user:" + strconv.FormatInt(userID, 10))
}

// openWebhook opens a sealed webhook; nil is no webhook.
func openWebhook(sealer *crypto.Sealer, userID int64, sealed []byte) (Webhook, error) {
	var w Webhook
	if len(sealed) == 0 {
		return w, nil
	}
	plain, err := sealer.Open(sealed, webhookAAD(userID))
	if err != nil {
		return w, tipline.Wrap(tipline.Internal, err, "Internal error.")
	}
	if err := json.Unmarshal(plain, &w); err != nil {
		return w, tipline.Wrap(tipline.Internal, err, "Internal error.")
	}
	return w, nil
}
