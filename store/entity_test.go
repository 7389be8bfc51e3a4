package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/entities/match"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// entityAudit is the audit record of an entity change by.
func entityAudit(by entities.Actor, action casework.AuditAction) casework.AuditRecord {
	return casework.AuditRecord{At: by.At, Actor: by.UserID, Action: action, Target: "entity"}
}

// TestEntities: entities with names, identifiers and countries; the
// candidate index; links within a desk; relations; corroboration and
// triage flags; merge and undo, on both dialects.
func TestEntities(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			if _, err := s.CreateDesk(ctx, intake.Desk{Slug: "sec-fraud", TitleEN: "Securities"}); err != nil {
				t.Fatal(err)
			}
			ana, err := s.CreateUser(ctx, casework.User{Email: "ana@example.org", Role: casework.RoleInvestigator, PasswordHash: "x",
				TOTPSealed: []byte{1}, Desks: []string{intake.DefaultDeskSlug}}, casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd})
			if err != nil {
				t.Fatal(err)
			}
			payload := func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }
			var subs []string
			for i, desk := range []string{intake.DefaultDeskSlug, intake.DefaultDeskSlug, "sec-fraud"} {
				sub := submission(desk)
				sub.ReceivedDay = fmt.Sprintf("2026-11-%02d", 20+i)
				if _, err := s.Commit(ctx, sub, payload); err != nil {
					t.Fatal(err)
				}
				subs = append(subs, sub.ID)
			}
			at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			by := func(h int) entities.Actor {
				return entities.Actor{UserID: ana.ID, At: at.Add(time.Duration(h) * time.Hour)}
			}
			listed := entities.ScreeningFlag{List: "Entity List (EL) - Bureau of Industry and Security", EntryID: "el-17",
				ListedName: "Huaqiang Electronics Co., Ltd.", MatchedName: "Huaqiang Electronics Co., Ltd.", Score: 0.93,
				Explanation: []string{"huaqiang = huaqiang"}, CheckedAt: at}

			create := func(e entities.Entity, flags entities.NameFlags) entities.Entity {
				t.Helper()
				e.ID = blob.NewKey("")
				if err := s.CreateEntity(ctx, e, flags, by(0), entityAudit(by(0), entities.ActionCreate)); err != nil {
					t.Fatal(err)
				}
				return e
			}
			w := create(entities.Entity{Desk: intake.DefaultDeskSlug, Kind: entities.Organization, Name: "Shenzhen Huaqiang Electronics Co., Ltd.",
				Aliases: []string{"深圳市华强电子有限公司"}, Identifiers: []entities.Identifier{{Type: "registration", Value: "91440300-MA5F"}},
				Countries: []string{"CN"}}, entities.NameFlags{"Shenzhen Huaqiang Electronics Co., Ltd.": {listed}})
			l := create(entities.Entity{Desk: intake.DefaultDeskSlug, Kind: entities.Organization, Name: "Huaqiang Electronic (HK) Ltd",
				Identifiers: []entities.Identifier{{Type: "registration", Value: "91440300-MA5F"}, {Type: "hk_cr", Value: "2876543"}},
				Countries:   []string{"CN", "HK"}}, nil)
			f := create(entities.Entity{Desk: intake.DefaultDeskSlug, Kind: entities.Organization, Name: "Lion City Freight Pte. Ltd.",
				Countries: []string{"SG"}}, nil)
			x := create(entities.Entity{Desk: "sec-fraud", Kind: entities.Person, Name: "Wang Wei"}, nil)

			got, err := s.Entity(ctx, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != w.Name || fmt.Sprint(got.Aliases) != "[深圳市华强电子有限公司]" || len(got.Identifiers) != 1 ||
				fmt.Sprint(got.Countries) != "[CN]" || len(got.Screening) != 1 || got.Screening[0].EntityName != w.Name ||
				got.Screening[0].Score != 0.93 || fmt.Sprint(got.Screening[0].Explanation) != "[huaqiang = huaqiang]" || !got.CreatedAt.Equal(at) {
				t.Errorf("entity = %+v", got)
			}
			if _, err := s.Entity(ctx, blob.NewKey("")); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("no entity: %v, want NotFound", err)
			}

			// The candidate index: across scripts, by identifier, by desk.
			candidates := func(q string, desks []string) []string {
				t.Helper()
				list, err := s.EntityCandidates(ctx, entities.Candidates{Desks: desks, Keys: match.Keys(q), Text: match.SearchText(q),
					Norm: match.Normalize(q), Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, e := range list {
					ids = append(ids, e.ID)
				}
				return ids
			}
			for _, tc := range []struct {
				q     string
				desks []string
				want  []string
				not   []string
			}{
				{q: "华强电子", want: []string{w.ID}},
				{q: "Hua Qiang Electronics", want: []string{w.ID, l.ID}},
				{q: "91440300-ma5f", want: []string{w.ID, l.ID}},
				{q: "Wang Wei", desks: []string{intake.DefaultDeskSlug}, not: []string{x.ID}},
				{q: "王伟", want: []string{x.ID}},
				{q: "Huaqiang", desks: []string{}, not: []string{w.ID, l.ID}},
			} {
				ids := candidates(tc.q, tc.desks)
				for _, id := range tc.want {
					if !slices.Contains(ids, id) {
						t.Errorf("candidates of %q in %v = %v, want %s among them", tc.q, tc.desks, ids, id)
					}
				}
				for _, id := range tc.not {
					if slices.Contains(ids, id) {
						t.Errorf("candidates of %q in %v = %v, must not hold %s", tc.q, tc.desks, ids, id)
					}
				}
			}

			// Links stay within the desk; each (submission, role) once.
			if _, err := s.LinkEntitySubmission(ctx, w.ID, subs[0], entities.Distributor, by(1), entityAudit(by(1), entities.ActionLink)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.LinkEntitySubmission(ctx, w.ID, subs[0], entities.Distributor, by(1), entityAudit(by(1), entities.ActionLink)); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("linking twice: %v, want Conflict", err)
			}
			if _, err := s.LinkEntitySubmission(ctx, w.ID, subs[2], entities.Subject, by(1), entityAudit(by(1), entities.ActionLink)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("another desk's submission: %v, want NotFound", err)
			}
			link, err := s.LinkEntitySubmission(ctx, l.ID, subs[0], entities.Distributor, by(1), entityAudit(by(1), entities.ActionLink))
			if err != nil {
				t.Fatal(err)
			}
			if link.Entity != l.ID || link.Submission != subs[0] || link.ReceivedDay != "2026-11-20" || link.LinkedBy != "ana@example.org" ||
				link.Role != entities.Distributor || link.EntityName != l.Name || !link.LinkedAt.Equal(at.Add(time.Hour)) {
				t.Errorf("link = %+v", link)
			}
			if _, err := s.LinkEntitySubmission(ctx, l.ID, subs[1], entities.Exporter, by(1), entityAudit(by(1), entities.ActionLink)); err != nil {
				t.Fatal(err)
			}
			c := casework.NewCase{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Title: "H20 boards via Singapore", Lead: "ana@example.org",
				Submissions: []string{subs[1]}}
			if err := s.CreateCase(ctx, c, at, casework.AuditRecord{At: at, Action: casework.ActionCaseCreate, Target: "case:" + c.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.LinkEntityCase(ctx, f.ID, c.ID, entities.FreightForwarder, by(2), entityAudit(by(2), entities.ActionLink)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.LinkEntityCase(ctx, x.ID, c.ID, entities.Subject, by(2), entityAudit(by(2), entities.ActionLink)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("case of another desk: %v, want NotFound", err)
			}
			if _, err := s.RelateEntities(ctx, f.ID, w.ID, entities.ShipsFor, by(2), entityAudit(by(2), entities.ActionRelate)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RelateEntities(ctx, l.ID, w.ID, entities.SameAs, by(2), entityAudit(by(2), entities.ActionRelate)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RelateEntities(ctx, f.ID, x.ID, entities.Owns, by(2), entityAudit(by(2), entities.ActionRelate)); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("relation across desks: %v, want Invalid", err)
			}

			detail := func(id string) entities.Detail {
				t.Helper()
				d, err := s.EntityDetail(ctx, id, entities.LinkWindow{Limit: entities.LinkPageSize})
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			if cor := detail(l.ID).Corroboration; cor.Submissions != 2 || cor.FirstSeen != "2026-11-20" || cor.LastSeen != "2026-11-21" ||
				fmt.Sprint(cor.Cases) != "["+c.ID+"]" || cor.OpenCases != 1 || fmt.Sprint(cor.Desks) != "["+intake.DefaultDeskSlug+"]" {
				t.Errorf("corroboration before the merge = %+v", cor)
			}

			// Merge: what the winner lacks moves; duplicates and the
			// relation between the two stay with the loser.
			m, err := s.MergeEntities(ctx, w.ID, l.ID, by(3), entityAudit(by(3), entities.ActionMerge))
			if err != nil {
				t.Fatal(err)
			}
			if m.Winner != w.ID || m.Loser != l.ID || m.LoserName != l.Name || m.MergedBy != "ana@example.org" || m.UndoneAt != nil {
				t.Errorf("merge = %+v", m)
			}
			merged := detail(w.ID)
			if fmt.Sprint(merged.Aliases) != "[深圳市华强电子有限公司 "+l.Name+"]" || len(merged.Identifiers) != 2 ||
				fmt.Sprint(merged.Countries) != "[CN HK]" || len(merged.Submissions) != 2 || merged.Corroboration.Submissions != 2 {
				t.Errorf("winner after the merge = %+v", merged)
			}
			loser := detail(l.ID)
			if loser.MergedInto != w.ID || len(loser.Submissions) != 1 || len(loser.Identifiers) != 1 || len(loser.Relations) != 1 {
				t.Errorf("loser after the merge = %+v", loser)
			}
			if ids := candidates("Huaqiang Electronic HK", nil); slices.Contains(ids, l.ID) || !slices.Contains(ids, w.ID) {
				t.Errorf("candidates after the merge = %v, want the winner and not the loser", ids)
			}
			if _, err := s.LinkEntitySubmission(ctx, l.ID, subs[1], entities.Subject, by(3), entityAudit(by(3), entities.ActionLink)); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("linking to a merged entity: %v, want Conflict", err)
			}
			if _, err := s.MergeEntities(ctx, f.ID, l.ID, by(3), entityAudit(by(3), entities.ActionMerge)); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("merging a merged entity: %v, want Conflict", err)
			}

			most, err := s.MostCorroborated(ctx, nil, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(most) != 1 || most[0].ID != w.ID || most[0].Submissions != 2 || !most[0].Screened {
				t.Errorf("most corroborated = %+v", most)
			}
			if most, err := s.MostCorroborated(ctx, []string{"sec-fraud"}, 10); err != nil || len(most) != 0 {
				t.Errorf("most corroborated of another desk = %+v, %v", most, err)
			}

			// Flags: sub 0 names a listed entity that another submission of
			// an open case names; sub 1 is itself in the case.
			flags, err := s.SubmissionEntityFlags(ctx, subs, nil)
			if err != nil {
				t.Fatal(err)
			}
			kinds := func(fl []entities.Flag) string {
				var k []string
				for _, f := range fl {
					k = append(k, f.Kind+":"+f.Entity)
				}
				return strings.Join(k, ",")
			}
			if got, want := kinds(flags[subs[0]]), "open_case:"+w.ID+",screened:"+w.ID; got != want {
				t.Errorf("flags of sub 0 = %s, want %s", got, want)
			}
			if got, want := kinds(flags[subs[1]]), "screened:"+w.ID; got != want {
				t.Errorf("flags of sub 1 = %s, want %s", got, want)
			}
			if flags, err := s.SubmissionEntityFlags(ctx, subs, []string{"sec-fraud"}); err != nil || len(flags) != 0 {
				t.Errorf("flags for another desk = %v, %v", flags, err)
			}

			// Undo: everything moved goes back.
			undone, err := s.UndoEntityMerge(ctx, m.ID, by(4), entityAudit(by(4), entities.ActionUndoMerge))
			if err != nil {
				t.Fatal(err)
			}
			if undone.UndoneBy != "ana@example.org" || undone.UndoneAt == nil || !undone.UndoneAt.Equal(at.Add(4*time.Hour)) {
				t.Errorf("undone merge = %+v", undone)
			}
			if _, err := s.UndoEntityMerge(ctx, m.ID, by(4), entityAudit(by(4), entities.ActionUndoMerge)); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("undoing twice: %v, want Conflict", err)
			}
			back, winner := detail(l.ID), detail(w.ID)
			if back.MergedInto != "" || len(back.Aliases) != 0 || len(back.Identifiers) != 2 || fmt.Sprint(back.Countries) != "[CN HK]" ||
				len(back.Submissions) != 2 || back.Corroboration.Submissions != 2 || len(back.Relations) != 1 {
				t.Errorf("loser after the undo = %+v", back)
			}
			if fmt.Sprint(winner.Aliases) != "[深圳市华强电子有限公司]" || len(winner.Identifiers) != 1 || fmt.Sprint(winner.Countries) != "[CN]" ||
				len(winner.Submissions) != 1 || winner.Corroboration.Submissions != 1 {
				t.Errorf("winner after the undo = %+v", winner)
			}
			if ids := candidates("Huaqiang Electronic HK", nil); !slices.Contains(ids, l.ID) {
				t.Errorf("candidates after the undo = %v, want the loser back", ids)
			}
			var actions []string
			for _, h := range winner.History {
				actions = append(actions, h.Action)
			}
			if got, want := strings.Join(actions, ","), "undo_merge,merge,relate,relate,link,create"; got != want {
				t.Errorf("winner's history, newest first = %s, want %s", got, want)
			}

			// Unlinking is history too.
			if err := s.UnlinkEntitySubmission(ctx, l.ID, link.ID, by(5), entityAudit(by(5), entities.ActionUnlink)); err != nil {
				t.Fatal(err)
			}
			if err := s.UnlinkEntitySubmission(ctx, l.ID, link.ID, by(5), entityAudit(by(5), entities.ActionUnlink)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("unlinking twice: %v, want NotFound", err)
			}
			if h := detail(l.ID).History[0]; h.Action != entities.HistoryUnlink || !strings.Contains(h.Detail, subs[0]) || h.Actor != "ana@example.org" {
				t.Errorf("unlink history = %+v", h)
			}

			// A screening refresh reports a change once.
			for i, want := range []bool{true, false} {
				changed, err := s.SetEntityScreening(ctx, l.ID, entities.NameFlags{l.Name: {listed}}, entities.Actor{At: at.Add(6 * time.Hour)})
				if err != nil || changed != want {
					t.Errorf("screening refresh %d: changed %v, %v; want %v", i, changed, err, want)
				}
			}
			if h := detail(l.ID).History[0]; h.Action != entities.HistoryScreening || h.Actor != "" {
				t.Errorf("screening history = %+v", h)
			}

			// Renaming keeps the rows of names that stay, and the index follows.
			w.Name, w.Aliases = "Huaqiang Electronics (Shenzhen)", []string{"深圳市华强电子有限公司", "HQE"}
			if err := s.UpdateEntity(ctx, w, nil, "renamed", by(7), entityAudit(by(7), entities.ActionUpdate)); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Entity(ctx, w.ID); err != nil || got.Name != w.Name || fmt.Sprint(got.Aliases) != "[深圳市华强电子有限公司 HQE]" || len(got.Screening) != 0 {
				t.Errorf("renamed = %+v, %v (the old name's flag goes with it)", got, err)
			}

			conn, err := s.EntityConnections(ctx, []string{f.ID}, entities.DefaultNodes)
			if err != nil {
				t.Fatal(err)
			}
			if len(conn.Cases) != 1 || len(conn.Relations) != 1 || conn.Entities[w.ID].Name != w.Name || conn.Entities[f.ID].Kind != entities.Organization {
				t.Errorf("connections = %+v", conn)
			}
		})
	}
}

// TestEntityCorroborationCounters checks the counters that corroboration
// reads (distinct submissions, first and last day seen, cases reached)
// against a count of the links themselves after each link, unlink, case
// change, merge and undo, on both dialects.
func TestEntityCorroborationCounters(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			s := store.New(db)
			ana, err := s.CreateUser(ctx, casework.User{Email: "ana@example.org", Role: casework.RoleInvestigator, PasswordHash: "x",
				TOTPSealed: []byte{1}, Desks: []string{intake.DefaultDeskSlug}}, casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd})
			if err != nil {
				t.Fatal(err)
			}
			payload := func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }
			var subs []string
			for i := range 5 {
				sub := submission(intake.DefaultDeskSlug)
				sub.ReceivedDay = fmt.Sprintf("2026-10-%02d", 10+i)
				if _, err := s.Commit(ctx, sub, payload); err != nil {
					t.Fatal(err)
				}
				subs = append(subs, sub.ID)
			}
			at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			by := entities.Actor{UserID: ana.ID, At: at}
			var ids []string
			for _, name := range []string{"Lion City Freight Pte. Ltd.", "Lion City Logistics", "Harbour Front Trading"} {
				e := entities.Entity{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Kind: entities.Organization, Name: name}
				if err := s.CreateEntity(ctx, e, nil, by, entityAudit(by, entities.ActionCreate)); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, e.ID)
			}
			a, b := ids[0], ids[1]

			// want counts the links themselves.
			want := func(id string) entities.Corroboration {
				t.Helper()
				var seen struct {
					N           int
					First, Last *string
				}
				err := db.Raw(`SELECT COUNT(DISTINCT l.submission_id) AS n, MIN(s.received_day) AS first, MAX(s.received_day) AS last
					FROM entity_submission_links l JOIN submissions s ON s.id = l.submission_id WHERE l.entity_id = ?`, id).Scan(&seen).Error
				if err != nil {
					t.Fatal(err)
				}
				c := entities.Corroboration{Submissions: seen.N, Desks: []string{intake.DefaultDeskSlug}, Cases: []string{}}
				if seen.First != nil {
					c.FirstSeen, c.LastSeen = (*seen.First)[:10], (*seen.Last)[:10]
				}
				var cases []struct{ CaseID, Status string }
				err = db.Raw(`SELECT x.case_id, cases.status FROM (
						SELECT case_id FROM entity_case_links WHERE entity_id = ?
						UNION
						SELECT cs.case_id FROM entity_submission_links l JOIN case_submissions cs ON cs.submission_id = l.submission_id WHERE l.entity_id = ?
					) x JOIN cases ON cases.id = x.case_id ORDER BY x.case_id`, id, id).Scan(&cases).Error
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range cases {
					c.Cases = append(c.Cases, r.CaseID)
					if r.Status == string(casework.CaseOpen) {
						c.OpenCases++
					}
				}
				return c
			}
			check := func(step string, counts ...int) {
				t.Helper()
				for i, id := range ids {
					d, err := s.EntityDetail(ctx, id, entities.LinkWindow{Limit: entities.LinkPageSize})
					if err != nil {
						t.Fatal(err)
					}
					if got, w := fmt.Sprintf("%+v", d.Corroboration), fmt.Sprintf("%+v", want(id)); got != w {
						t.Errorf("%s: entity %d: corroboration %s, links say %s", step, i, got, w)
					}
					if d.Corroboration.Submissions != counts[i] {
						t.Errorf("%s: entity %d counts %d submissions, want %d", step, i, d.Corroboration.Submissions, counts[i])
					}
				}
			}
			link := func(e, sub string, role entities.Role) int64 {
				t.Helper()
				l, err := s.LinkEntitySubmission(ctx, e, sub, role, by, entityAudit(by, entities.ActionLink))
				if err != nil {
					t.Fatal(err)
				}
				return l.ID
			}
			check("no links", 0, 0, 0)

			a0 := link(a, subs[0], entities.Subject)
			a0x := link(a, subs[0], entities.Exporter) // the same submission twice counts once
			a3 := link(a, subs[3], entities.FreightForwarder)
			a2 := link(a, subs[2], entities.Consignee)
			link(b, subs[1], entities.Subject)
			link(b, subs[3], entities.FreightForwarder) // the winner has it: stays with the loser
			link(b, subs[4], entities.Financier)
			check("linked", 3, 3, 0)

			c1 := casework.NewCase{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Title: "Transshipment", Lead: "ana@example.org",
				Submissions: []string{subs[3]}}
			if err := s.CreateCase(ctx, c1, at, casework.AuditRecord{At: at, Action: casework.ActionCaseCreate, Target: "case:" + c1.ID}); err != nil {
				t.Fatal(err)
			}
			c2 := casework.NewCase{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Title: "Relabelled servers", Lead: "ana@example.org"}
			if err := s.CreateCase(ctx, c2, at, casework.AuditRecord{At: at, Action: casework.ActionCaseCreate, Target: "case:" + c2.ID}); err != nil {
				t.Fatal(err)
			}
			if err := s.LinkSubmission(ctx, c2.ID, subs[0], at, casework.AuditRecord{At: at, Action: casework.ActionCaseLink, Target: "case:" + c2.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.LinkEntityCase(ctx, a, c1.ID, entities.FreightForwarder, by, entityAudit(by, entities.ActionLink)); err != nil {
				t.Fatal(err)
			}
			cl, err := s.LinkEntityCase(ctx, ids[2], c2.ID, entities.Subject, by, entityAudit(by, entities.ActionLink))
			if err != nil {
				t.Fatal(err)
			}
			closed := casework.CaseClosed
			if err := s.UpdateCase(ctx, c2.ID, casework.CaseChange{Status: &closed}, at, casework.AuditRecord{At: at, Action: casework.ActionCaseUpdate, Target: "case:" + c2.ID}); err != nil {
				t.Fatal(err)
			}
			check("cases", 3, 3, 0)

			// Unlinking the first or last day's only submission moves the
			// day; one of two links of a submission leaves the count.
			if err := s.UnlinkEntitySubmission(ctx, a, a3, by, entityAudit(by, entities.ActionUnlink)); err != nil {
				t.Fatal(err)
			}
			if err := s.UnlinkEntitySubmission(ctx, a, a0, by, entityAudit(by, entities.ActionUnlink)); err != nil {
				t.Fatal(err)
			}
			check("unlinked", 2, 3, 0)
			if err := s.UnlinkEntitySubmission(ctx, a, a0x, by, entityAudit(by, entities.ActionUnlink)); err != nil {
				t.Fatal(err)
			}
			if err := s.UnlinkEntityCase(ctx, ids[2], cl.ID, by, entityAudit(by, entities.ActionUnlink)); err != nil {
				t.Fatal(err)
			}
			check("unlinked again", 1, 3, 0)
			a0 = link(a, subs[0], entities.Subject)
			link(a, subs[3], entities.FreightForwarder)
			check("linked again", 3, 3, 0)

			// Merge: the loser's links move unless the winner has them.
			m, err := s.MergeEntities(ctx, a, b, by, entityAudit(by, entities.ActionMerge))
			if err != nil {
				t.Fatal(err)
			}
			check("merged", 5, 1, 0)
			if err := s.UnlinkEntitySubmission(ctx, a, a2, by, entityAudit(by, entities.ActionUnlink)); err != nil {
				t.Fatal(err)
			}
			check("unlinked after the merge", 4, 1, 0)
			if _, err := s.UndoEntityMerge(ctx, m.ID, by, entityAudit(by, entities.ActionUndoMerge)); err != nil {
				t.Fatal(err)
			}
			check("undone", 2, 3, 0)
			if err := s.UnlinkEntitySubmission(ctx, a, a0, by, entityAudit(by, entities.ActionUnlink)); err != nil {
				t.Fatal(err)
			}
			check("unlinked after the undo", 1, 3, 0)
		})
	}
}
