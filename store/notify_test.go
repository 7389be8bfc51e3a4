package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/notify"
	"github.com/tipline/tipline/store"
)

// TestNotifyStore: settings, subscribers by role and desk, the event queue
// (again after a fan-out for tips, once a day for deadline reminders),
// deliveries with their digests and failed attempts, on both dialects.
func TestNotifyStore(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			ids := map[string]int64{}
			for _, u := range []struct {
				name  string
				role  casework.Role
				desks []string
				set   notify.Settings
				hook  []byte
			}{
				{"ana", casework.RoleInvestigator, []string{intake.DefaultDeskSlug}, notify.Settings{NewTips: true, ByEmail: true}, nil},
				{"ben", casework.RoleInvestigator, nil, notify.Settings{Messages: true}, []byte("sealed")},
				{"root", casework.RoleAdmin, nil, notify.Settings{Deadlines: true, ByEmail: true, Digest: true}, nil},
				{"aud", casework.RoleAuditor, nil, notify.Settings{NewTips: true, ByEmail: true}, nil},
				{"quiet", casework.RoleInvestigator, []string{intake.DefaultDeskSlug}, notify.Settings{ByEmail: true}, nil},
			} {
				email := u.name + "@example.org"
				created, err := s.CreateUser(ctx, casework.User{Email: email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}, Desks: u.desks},
					casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd, Target: email})
				must(err)
				ids[u.name] = created.ID
				u.set.UserID = created.ID
				must(s.SetNotifySettings(ctx, u.set, u.hook, casework.AuditRecord{At: time.Now(), Actor: created.ID, Action: notify.ActionSettings, Target: "user"}))
			}
			got, hook, err := s.NotifySettings(ctx, ids["ben"])
			must(err)
			if !got.Messages || got.NewTips || string(hook) != "sealed" {
				t.Errorf("ben's settings = %+v %q", got, hook)
			}
			if _, hook, _ := s.NotifySettings(ctx, ids["ana"]); hook != nil {
				t.Errorf("ana has no webhook, got %q", hook)
			}

			subs, err := s.Subscribers(ctx)
			must(err)
			desks := map[string][]string{}
			for _, sub := range subs {
				desks[sub.Email] = sub.Desks
			}
			want := map[string][]string{"ana@example.org": {intake.DefaultDeskSlug}, "ben@example.org": {}, "root@example.org": nil}
			if fmt.Sprint(desks) != fmt.Sprint(want) || len(desks) != 3 || desks["root@example.org"] != nil || desks["ben@example.org"] == nil {
				t.Errorf("subscribers' desks = %v, want %v (the auditor and who asked for nothing left out)", desks, want)
			}

			tip := notify.Event{Kind: notify.KindNewTip, Desk: intake.DefaultDeskSlug, Day: "2026-12-01"}
			due := notify.Event{Kind: notify.KindDeadlineDue, Desk: intake.DefaultDeskSlug, Day: "2026-12-01"}
			must(s.QueueEvent(ctx, tip))
			must(s.QueueEvent(ctx, tip))
			must(s.QueueEventOnce(ctx, due))
			pending, err := s.PendingEvents(ctx)
			must(err)
			if len(pending) != 2 {
				t.Fatalf("pending = %v, want the tip and the reminder once each", pending)
			}
			ds := []notify.Delivery{
				{UserID: ids["ana"], Channel: notify.ChannelEmail, Kind: tip.Kind, Desk: tip.Desk, Day: tip.Day},
				{UserID: ids["ana"], Channel: notify.ChannelEmail, Kind: tip.Kind, Desk: tip.Desk, Day: tip.Day}, // a duplicate
				{UserID: ids["root"], Channel: notify.ChannelEmail, Kind: due.Kind, Desk: due.Desk, Day: due.Day, Digest: true},
			}
			must(s.FanOut(ctx, pending, ds))
			if pending, _ := s.PendingEvents(ctx); len(pending) != 0 {
				t.Errorf("pending after the fan-out = %v", pending)
			}
			must(s.QueueEvent(ctx, tip))     // a new tip the same day: told again
			must(s.QueueEventOnce(ctx, due)) // the day's reminder: not again
			if pending, _ := s.PendingEvents(ctx); !slices.Equal(pending, []notify.Event{tip}) {
				t.Errorf("pending after queueing again = %v, want the tip only", pending)
			}

			now, err := s.Deliveries(ctx, "")
			must(err)
			if len(now) != 1 || now[0].UserID != ids["ana"] || now[0].Digest {
				t.Fatalf("deliveries owed at once = %+v", now)
			}
			if same, _ := s.Deliveries(ctx, "2026-12-01"); len(same) != 1 {
				t.Errorf("a digest of the day itself is owed already: %+v", same)
			}
			all, err := s.Deliveries(ctx, "2026-12-02")
			must(err)
			if len(all) != 2 {
				t.Fatalf("deliveries with the digests before 2026-12-02 = %+v", all)
			}
			must(s.DeliveryFailed(ctx, []int64{now[0].ID}))
			must(s.DeliveryFailed(ctx, []int64{now[0].ID}))
			if again, _ := s.Deliveries(ctx, ""); len(again) != 1 || again[0].Attempts != 2 {
				t.Errorf("after two failures = %+v", again)
			}
			must(s.Delivered(ctx, []int64{all[0].ID, all[1].ID}))
			if left, _ := s.Deliveries(ctx, "2026-12-02"); len(left) != 0 {
				t.Errorf("left after delivery = %+v", left)
			}

			must(s.PruneEvents(ctx, "2026-12-02")) // the fanned-out reminder goes; the pending tip stays
			if pending, _ := s.PendingEvents(ctx); len(pending) != 1 {
				t.Errorf("pending after pruning = %v", pending)
			}
			must(s.QueueEventOnce(ctx, due)) // pruned: queued again
			if pending, _ := s.PendingEvents(ctx); len(pending) != 2 {
				t.Errorf("a pruned reminder is not queued again: %v", pending)
			}

			_, err = s.Commit(ctx, submission(intake.DefaultDeskSlug), func(seq int64, prev [32]byte) []byte {
				return fmt.Appendf(nil, `{"v":1,"seq":%d,"prev":"%x"}`, seq, prev)
			})
			must(err)
			dueDesks, err := s.DesksWithDeadlinesDue(ctx, "2027-12-31")
			must(err)
			if !slices.Equal(dueDesks, []string{intake.DefaultDeskSlug}) {
				t.Errorf("desks with deadlines due = %v", dueDesks)
			}
			if none, _ := s.DesksWithDeadlinesDue(ctx, "2026-11-27"); len(none) != 0 {
				t.Errorf("desks with deadlines due before the tip = %v", none)
			}
		})
	}
}
