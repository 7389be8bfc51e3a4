package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestEntityAudit: the entities service audits every change in the
// change's transaction, and every audited view before it hands anything
// out, with the actions and targets the API has always recorded. When the
// audit log refuses entries (a trigger raising on INSERT), no change is
// left behind, not even in the entities' history, and no view hands out
// anything; once the log takes entries again, the same changes go
// through. On both dialects.
func TestEntityAudit(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			s := store.New(db)
			at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			ana, err := s.CreateUser(ctx, casework.User{Email: "ana@example.org", Role: casework.RoleInvestigator, PasswordHash: "x",
				TOTPSealed: []byte{1}, Desks: []string{intake.DefaultDeskSlug}}, casework.AuditRecord{At: at, Action: casework.ActionUserAdd})
			if err != nil {
				t.Fatal(err)
			}
			p := casework.Principal{UserID: ana.ID, Email: ana.Email, Role: casework.RoleInvestigator, Desks: []string{intake.DefaultDeskSlug}}
			svc := &entities.Service{Store: s, Now: time.Now}
			sub := submission(intake.DefaultDeskSlug)
			payload := func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }
			if _, err := s.Commit(ctx, sub, payload); err != nil {
				t.Fatal(err)
			}
			kase := casework.NewCase{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Title: "Transshipment", Lead: ana.Email}
			if err := s.CreateCase(ctx, kase, at, casework.AuditRecord{At: at, Action: casework.ActionCaseCreate, Target: "case:" + kase.ID}); err != nil {
				t.Fatal(err)
			}
			entries := func() []casework.AuditEntry {
				t.Helper()
				list, err := s.AuditEntries(ctx, 0, 1000)
				if err != nil {
					t.Fatal(err)
				}
				return list
			}
			before := len(entries())
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}

			// Every change and view, audited.
			var want []string
			audited := func(action, target string) { want = append(want, action+" "+target) }
			create := func(name string) entities.Detail {
				t.Helper()
				e, err := svc.Create(ctx, p, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: entities.Organization, Name: name})
				must(err)
				audited("entity.create", "entity:"+e.ID)
				return e
			}
			a, b, c, e := create("Lion City Freight Pte. Ltd."), create("Harbour Front Trading"), create("Shenzhen Huaqiang Electronics"), create("Huaqiang Electronic (HK)")
			notes := "Forwarder named by two sources."
			_, err = svc.Update(ctx, p, a.ID, entities.Change{Notes: &notes})
			must(err)
			audited("entity.update", "entity:"+a.ID)
			subLink, err := svc.LinkSubmission(ctx, p, a.ID, sub.ID, entities.FreightForwarder)
			must(err)
			audited("entity.link", "entity:"+a.ID+"/submission:"+sub.ID)
			gone, err := svc.LinkSubmission(ctx, p, a.ID, sub.ID, entities.Consignee)
			must(err)
			audited("entity.link", "entity:"+a.ID+"/submission:"+sub.ID)
			must(svc.UnlinkSubmission(ctx, p, a.ID, gone.ID))
			audited("entity.unlink", "entity:"+a.ID+"/submission-link:"+strconv.FormatInt(gone.ID, 10))
			caseLink, err := svc.LinkCase(ctx, p, a.ID, kase.ID, entities.Subject)
			must(err)
			audited("entity.link", "entity:"+a.ID+"/case:"+kase.ID)
			goneCase, err := svc.LinkCase(ctx, p, a.ID, kase.ID, entities.Witness)
			must(err)
			audited("entity.link", "entity:"+a.ID+"/case:"+kase.ID)
			must(svc.UnlinkCase(ctx, p, a.ID, goneCase.ID))
			audited("entity.unlink", "entity:"+a.ID+"/case-link:"+strconv.FormatInt(goneCase.ID, 10))
			rel, err := svc.Relate(ctx, p, a.ID, b.ID, entities.ShipsFor)
			must(err)
			audited("entity.relate", "entity:"+a.ID+"/entity:"+b.ID)
			goneRel, err := svc.Relate(ctx, p, a.ID, b.ID, entities.Owns)
			must(err)
			audited("entity.relate", "entity:"+a.ID+"/entity:"+b.ID)
			must(svc.Unrelate(ctx, p, b.ID, goneRel.ID))
			audited("entity.unrelate", "entity:"+b.ID+"/relation:"+strconv.FormatInt(goneRel.ID, 10))
			undone, err := svc.Merge(ctx, p, c.ID, e.ID)
			must(err)
			audited("entity.merge", "entity:"+c.ID+"/entity:"+e.ID)
			_, err = svc.UndoMerge(ctx, p, c.ID, undone.ID)
			must(err)
			audited("entity.undo_merge", "entity:"+c.ID+"/entity:"+e.ID)
			merge, err := svc.Merge(ctx, p, c.ID, e.ID)
			must(err)
			audited("entity.merge", "entity:"+c.ID+"/entity:"+e.ID)

			// Reads for other pages are not audited here: the pages that
			// show them audit their own views.
			_, err = svc.Get(ctx, p, a.ID, entities.LinkPage{})
			must(err)
			_, err = svc.SubmissionEntities(ctx, p, sub.ID)
			must(err)
			_, err = svc.Candidates(ctx, p, a.Entity, "")
			must(err)

			views := []struct {
				name           string
				action, target string
				view           func() (any, error)
			}{
				{"View", "entity.view", "entity:" + a.ID, func() (any, error) { return svc.View(ctx, p, a.ID, entities.LinkPage{}) }},
				{"Search", "entity.search", "entities", func() (any, error) {
					return svc.Search(ctx, p, entities.Query{Q: "Lion City Freight"})
				}},
				{"Candidates", "entity.search", "entity:" + a.ID, func() (any, error) { return svc.Candidates(ctx, p, a.Entity, "Harbour") }},
				{"MostCorroborated", "entity.corroborated", "entities", func() (any, error) { return svc.MostCorroborated(ctx, p, "") }},
				{"ViewSubmissionEntities", "entity.links_view", "submission:" + sub.ID, func() (any, error) {
					return svc.ViewSubmissionEntities(ctx, p, sub.ID)
				}},
				{"Suggest", "entity.suggest", "submission:" + sub.ID, func() (any, error) {
					return svc.Suggest(ctx, p, sub.ID, []entities.Party{{Name: "Lion City Freight", Role: "freight_forwarder"}})
				}},
				{"Neighbourhood", "entity.graph", "entity:" + a.ID, func() (any, error) { return svc.Neighbourhood(ctx, p, a.ID, 0) }},
			}
			for _, v := range views {
				got, err := v.view()
				if err != nil || reflect.ValueOf(got).IsZero() {
					t.Fatalf("%s = %+v, %v", v.name, got, err)
				}
				audited(v.action, v.target)
			}
			var got []string
			for _, en := range entries()[before:] {
				if en.Record.Actor != ana.ID {
					t.Errorf("entry %d: actor %d, want %d", en.Seq, en.Record.Actor, ana.ID)
				}
				got = append(got, string(en.Record.Action)+" "+en.Record.Target)
			}
			if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
				t.Errorf("audit log:\n%s\nwant:\n%s", g, w)
			}

			// The audit log refuses entries from now on.
			allow := refuseAudit(t, db)

			// state is everything the changes could touch.
			state := func() string {
				t.Helper()
				var out []string
				for _, id := range []string{a.ID, b.ID, c.ID, e.ID} {
					d, err := s.EntityDetail(ctx, id, entities.LinkWindow{Limit: entities.LinkPageSize})
					must(err)
					out = append(out, fmt.Sprintf("%+v", d))
				}
				list, err := s.ListEntities(ctx, entities.Listing{Limit: 100})
				must(err)
				out = append(out, fmt.Sprintf("%+v", list))
				for _, table := range []string{"entities", "entity_names", "entity_keys", "entity_history", "entity_submission_links",
					"entity_case_links", "entity_relations", "entity_merges", "entity_merge_moves", "audit_log"} {
					var n int64
					must(db.Table(table).Count(&n).Error)
					out = append(out, fmt.Sprintf("%s: %d", table, n))
				}
				return strings.Join(out, "\n")
			}
			kept := state()
			renamed := "Lion City Freight (Singapore)"
			changes := []struct {
				name   string
				change func() (any, error)
			}{
				{"Create", func() (any, error) {
					return svc.Create(ctx, p, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: entities.Person, Name: "Tan Wei Ming"})
				}},
				{"Update", func() (any, error) { return svc.Update(ctx, p, a.ID, entities.Change{Name: &renamed}) }},
				{"LinkSubmission", func() (any, error) { return svc.LinkSubmission(ctx, p, b.ID, sub.ID, entities.Exporter) }},
				{"UnlinkSubmission", func() (any, error) { return nil, svc.UnlinkSubmission(ctx, p, a.ID, subLink.ID) }},
				{"LinkCase", func() (any, error) { return svc.LinkCase(ctx, p, b.ID, kase.ID, entities.Witness) }},
				{"UnlinkCase", func() (any, error) { return nil, svc.UnlinkCase(ctx, p, a.ID, caseLink.ID) }},
				{"Relate", func() (any, error) { return svc.Relate(ctx, p, b.ID, a.ID, entities.DirectorOf) }},
				{"Unrelate", func() (any, error) { return nil, svc.Unrelate(ctx, p, a.ID, rel.ID) }},
				{"UndoMerge", func() (any, error) { return svc.UndoMerge(ctx, p, c.ID, merge.ID) }},
				{"Merge", func() (any, error) { return svc.Merge(ctx, p, a.ID, b.ID) }},
			}
			for _, ch := range changes {
				got, err := ch.change()
				if err == nil || (got != nil && !reflect.ValueOf(got).IsZero()) {
					t.Errorf("%s with the audit log refusing: %+v, %v; want an error", ch.name, got, err)
				}
				if now := state(); now != kept {
					was, is := strings.Split(kept, "\n"), strings.Split(now, "\n")
					for i := range min(len(was), len(is)) {
						if was[i] != is[i] {
							t.Errorf("%s with the audit log refusing changed\n%s\ninto\n%s", ch.name, was[i], is[i])
						}
					}
					kept = now
				}
			}
			for _, v := range views {
				if got, err := v.view(); err == nil || !reflect.ValueOf(got).IsZero() {
					t.Errorf("%s with the audit log refusing: %+v, %v; want an error and nothing", v.name, got, err)
				}
			}

			// The changes were refused for the audit log's sake alone.
			allow()
			for _, ch := range changes {
				if _, err := ch.change(); err != nil {
					t.Errorf("%s with the audit log taking entries again: %v", ch.name, err)
				}
			}
			if n := len(entries()) - before - len(want); n != len(changes) {
				t.Errorf("%d entries after the audit log took entries again, want %d", n, len(changes))
			}
		})
	}
}
