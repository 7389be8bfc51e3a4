// Package devseed fills a development database with synthetic casework:
// submissions with their deadlines, labels and intake-log entries, cases,
// and entities in English and Chinese with their names' match keys,
// identifiers, countries, links and relations. It exists for load tests
// and benchmarks; it never runs in production.
//
// Seeded submissions hold metadata only: no ciphertext object and no
// codename (their lookup keys are random bytes nobody can derive), so no
// plaintext exists anywhere and no source can log in to them. They live on
// two desks of their own, SeedDesks, which have no keys and so accept no
// real tips. Entities are not screened (no screening-list flags).
package devseed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/entities/match"
)

// SeedDesks are the desks seeded data lives on, created when missing.
var SeedDesks = []struct{ Slug, TitleEN, TitleZH string }{
	{"seed-export-control", "Export control (synthetic data)", "出口管制（合成数据）"},
	{"seed-sanctions", "Sanctions (synthetic data)", "制裁（合成数据）"},
}

// seedUser leads the seeded cases. It is disabled and has no usable
// password.
const seedUser = "seed-lead@dev-seed.invalid"

// Options say how much to seed.
type Options struct {
	Submissions int
	Entities    int
	Seed        uint64 // the same seed gives the same data
	// Force seeds a database that already holds submissions outside the
	// seed desks.
	Force bool
	// Today is the last received day; submissions spread over the two
	// years before it.
	Today time.Time
}

// Stats counts what Seed wrote.
type Stats struct {
	Submissions, Entities, Names, Keys, SubmissionLinks, Cases, CaseLinks, Relations int64
	Took                                                                             time.Duration
}

// Seed writes synthetic data into a migrated database, reporting progress
// to log. Each table is written in batches, not in one transaction: an
// interrupted seed leaves what it wrote.
func Seed(ctx context.Context, db *database.DB, o Options, log io.Writer) (Stats, error) {
	start := time.Now()
	if o.Submissions < 0 || o.Entities < 0 {
		return Stats{}, tipline.Errorf(tipline.Invalid, "Counts must not be negative.")
	}
	if o.Today.IsZero() {
		o.Today = time.Now().UTC()
	}
	slugs := make([]string, len(SeedDesks))
	for i, d := range SeedDesks {
		slugs[i] = d.Slug
	}
	var real int64
	err := db.WithContext(ctx).Table("submissions").Joins("JOIN desks ON desks.id = submissions.desk_id").
		Where("desks.slug NOT IN ?", slugs).Count(&real).Error
	if err != nil {
		return Stats{}, fmt.Errorf("devseed: count submissions: %w", err)
	}
	if real > 0 && !o.Force {
		return Stats{}, tipline.Errorf(tipline.Conflict, "This database holds %d submissions that the seeder did not make; it seeds only development databases (use --force to seed anyway).", real)
	}
	s := &seeder{db: db, o: o, log: log, r: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
	steps := []func(context.Context) error{s.desksAndUser, s.seedEntities, s.submissions, s.links, s.cases, s.relations, s.analyze}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return s.stats, err
		}
	}
	s.stats.Took = time.Since(start)
	return s.stats, nil
}

type seeder struct {
	db    *database.DB
	o     Options
	log   io.Writer
	r     *rand.Rand
	stats Stats

	desks    []deskInfo
	userID   int64
	entities []entityInfo
	subs     []subInfo
}

type deskInfo struct {
	id             int64
	slug           string
	ackDays        int
	feedbackMonths int
	from, to       int // the desk's entities: s.entities[from:to]
}

type entityInfo struct {
	id   string
	desk int // index into s.desks
}

type subInfo struct {
	id   string
	desk int
	day  string
}

func (s *seeder) logf(format string, args ...any) {
	fmt.Fprintf(s.log, "seed: "+format+"\n", args...)
}

// newID is a random id of the form every table uses: 26 of [a-z0-9].
func (s *seeder) newID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 26)
	for i := range b {
		b[i] = alphabet[s.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (s *seeder) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(s.r.Uint32())
	}
	return b
}

// desksAndUser makes the seed desks and the disabled case lead.
func (s *seeder) desksAndUser(ctx context.Context) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range SeedDesks {
			err := tx.Exec("INSERT INTO desks (slug, title_en, title_zh, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING",
				d.Slug, d.TitleEN, d.TitleZH, s.o.Today).Error
			if err != nil {
				return fmt.Errorf("devseed: desk: %w", err)
			}
			var row struct {
				ID             int64
				AckDays        int
				FeedbackMonths int
			}
			if err := tx.Table("desks").Select("id, ack_days, feedback_months").Where("slug = ?", d.Slug).Take(&row).Error; err != nil {
				return fmt.Errorf("devseed: desk: %w", err)
			}
			s.desks = append(s.desks, deskInfo{id: row.ID, slug: d.Slug, ackDays: row.AckDays, feedbackMonths: row.FeedbackMonths})
		}
		err := tx.Exec("INSERT INTO users (email, role, password_hash, totp_secret, disabled, created_at) VALUES (?, 'investigator', '!', ?, true, ?) ON CONFLICT (email) DO NOTHING",
			seedUser, s.bytes(32), s.o.Today).Error
		if err != nil {
			return fmt.Errorf("devseed: user: %w", err)
		}
		if err := tx.Table("users").Select("id").Where("email = ?", seedUser).Scan(&s.userID).Error; err != nil {
			return fmt.Errorf("devseed: user: %w", err)
		}
		for _, d := range s.desks {
			if err := tx.Exec("INSERT INTO user_desks (user_id, desk_id) VALUES (?, ?) ON CONFLICT DO NOTHING", s.userID, d.id).Error; err != nil {
				return fmt.Errorf("devseed: user desk: %w", err)
			}
		}
		return nil
	})
}

// deskOf picks a desk: most tips go to export control.
func (s *seeder) deskOf() int {
	if s.r.IntN(10) < 7 {
		return 0
	}
	return 1
}

// seedEntities writes the entities with their names, match keys, identifiers,
// countries and a creation entry in their history. Counts of linked
// submissions are filled in by links.
func (s *seeder) seedEntities(ctx context.Context) error {
	n := s.o.Entities
	// Split the entities among the desks as tips are split.
	split := n * 7 / 10
	s.desks[0].from, s.desks[0].to = 0, split
	s.desks[1].from, s.desks[1].to = split, n
	ents := newBulk(s.db, "entities", "id", "desk_id", "kind", "name", "notes", "created_at", "updated_at")
	names := newBulk(s.db, "entity_names", "entity_id", "name", "norm", "search_text").after(ents)
	keys := newBulk(s.db, "entity_keys", "key", "desk_id", "entity_id").after(ents)
	idents := newBulk(s.db, "entity_identifiers", "entity_id", "type", "value", "norm_value").after(ents)
	countries := newBulk(s.db, "entity_countries", "entity_id", "country").after(ents)
	history := newBulk(s.db, "entity_history", "entity_id", "actor_id", "at", "action", "detail").after(ents)
	at := s.o.Today.Add(-24 * time.Hour)
	for i := range n {
		desk := 0
		if i >= split {
			desk = 1
		}
		e := entityInfo{id: s.newID(), desk: desk}
		s.entities = append(s.entities, e)
		nm := newName(s.r)
		deskID := s.desks[desk].id
		if err := ents.add(ctx, e.id, deskID, string(nm.kind), nm.name, "", at, at); err != nil {
			return err
		}
		all := append([]string{nm.name}, nm.aliases...)
		slices.Sort(all)
		all = slices.Compact(all)
		var seen []string
		for _, name := range all {
			if err := names.add(ctx, e.id, name, match.Normalize(name), match.SearchText(name)); err != nil {
				return err
			}
			for _, k := range match.Keys(name) {
				if slices.Contains(seen, k) {
					continue
				}
				seen = append(seen, k)
				if err := keys.add(ctx, k, deskID, e.id); err != nil {
					return err
				}
			}
		}
		for _, id := range nm.identifiers {
			if err := idents.add(ctx, e.id, id.Type, id.Value, match.Normalize(id.Value)); err != nil {
				return err
			}
		}
		for _, c := range nm.countries {
			if err := countries.add(ctx, e.id, c); err != nil {
				return err
			}
		}
		if err := history.add(ctx, e.id, s.userID, at, entities.HistoryCreate, fmt.Sprintf("created %s %q", nm.kind, nm.name)); err != nil {
			return err
		}
		if (i+1)%50000 == 0 {
			s.logf("%d entities", i+1)
		}
	}
	for _, b := range []*bulk{ents, names, keys, idents, countries, history} {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	s.stats.Entities, s.stats.Names, s.stats.Keys = ents.n, names.n, keys.n
	s.logf("%d entities, %d names, %d match keys", ents.n, names.n, keys.n)
	return nil
}

// statuses weights where seeded submissions stand: most old ones closed
// or under review, the newest new.
var statuses = []casework.Status{casework.Acknowledged, casework.UnderReview, casework.UnderReview, casework.NeedsInformation,
	casework.CaseOpened, casework.Closed, casework.Closed, casework.Closed, casework.Referred}

// submissions writes the submissions in the order received, each with its
// deadlines, sometimes labels, and its entry in the intake log, continuing
// the log's hash chain.
func (s *seeder) submissions(ctx context.Context) error {
	var tail struct {
		Seq       int64
		EntryHash []byte
	}
	err := s.db.WithContext(ctx).Table("intake_log").Select("seq, entry_hash").Order("seq DESC").Limit(1).Scan(&tail).Error
	if err != nil {
		return fmt.Errorf("devseed: intake log: %w", err)
	}
	var prev [32]byte
	copy(prev[:], tail.EntryHash)
	seq := tail.Seq

	subs := newBulk(s.db, "submissions", "id", "desk_id", "number", "received_day", "encrypted_by", "lookup_key", "reply_salt", "status", "priority", "closing_code")
	deadlines := newBulk(s.db, "deadlines", "submission_id", "kind", "due_day", "met_day").after(subs)
	lbls := newBulk(s.db, "submission_labels", "submission_id", "label").after(subs)
	logs := newBulk(s.db, "intake_log", "seq", "submission_id", "received_day", "payload", "prev_hash", "entry_hash").after(subs)
	n := s.o.Submissions
	first := s.o.Today.AddDate(-2, 0, 0)
	span := s.o.Today.Sub(first)
	today := s.o.Today.Format(time.DateOnly)
	numbers := make([]int, len(s.desks)) // the last tip number of each desk
	for d, desk := range s.desks {
		err := s.db.WithContext(ctx).Table("submissions").Select("COALESCE(MAX(number), 0)").Where("desk_id = ?", desk.id).Scan(&numbers[d]).Error
		if err != nil {
			return fmt.Errorf("devseed: tip numbers: %w", err)
		}
	}
	for i := range n {
		d := s.deskOf()
		numbers[d]++
		receivedAt := first.Add(time.Duration(float64(span) * float64(i+1) / float64(max(n, 1))))
		received := receivedAt.Format(time.DateOnly)
		sub := subInfo{id: s.newID(), desk: d, day: received}
		s.subs = append(s.subs, sub)
		desk := s.desks[d]
		status, priority := casework.New, s.r.IntN(4)
		var closing any
		if s.o.Today.Sub(receivedAt) > 14*24*time.Hour {
			status = pick(s.r, statuses)
		}
		if status == casework.Closed {
			closing = string(pick(s.r, casework.ClosingCodes))
		}
		encryptedBy := "browser"
		if s.r.IntN(3) == 0 {
			encryptedBy = "server"
		}
		if err := subs.add(ctx, sub.id, desk.id, numbers[d], day(received), encryptedBy, s.bytes(32), s.bytes(16), string(status), priority, closing); err != nil {
			return err
		}
		policy := casework.Policy{AckDays: desk.ackDays, FeedbackMonths: desk.feedbackMonths}
		dls, err := policy.ReceivedDeadlines(received)
		if err != nil {
			return err
		}
		for j, dl := range dls {
			var met any
			// Deadlines past are mostly met: acknowledgement always once
			// the tip left "new", feedback for closed tips.
			if status != casework.New && (j == 0 || status == casework.Closed) && dl.DueDay <= today {
				met = day(dl.DueDay)
			}
			if err := deadlines.add(ctx, sub.id, dl.Kind, day(dl.DueDay), met); err != nil {
				return err
			}
		}
		if s.r.IntN(5) == 0 {
			if err := lbls.add(ctx, sub.id, pick(s.r, labels)); err != nil {
				return err
			}
		}
		seq++
		payload := logPayload(seq, prev, sub.id, desk.slug, received)
		hash := sha256.Sum256(payload)
		if err := logs.add(ctx, seq, sub.id, day(received), string(payload), bytes.Clone(prev[:]), hash[:]); err != nil {
			return err
		}
		prev = hash
		if (i+1)%100000 == 0 {
			s.logf("%d submissions", i+1)
		}
	}
	for _, b := range []*bulk{subs, deadlines, lbls, logs} {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	s.stats.Submissions = subs.n
	s.logf("%d submissions with deadlines and intake-log entries", subs.n)
	return nil
}

// logPayload is the intake log's canonical JSON for a submission without
// objects: the fields of intake's entries, in their order, so that
// intake.VerifyChain and receipt checks accept the seeded chain.
func logPayload(seq int64, prev [32]byte, id, desk, received string) []byte {
	p := struct {
		Version     int        `json:"v"`
		Seq         int64      `json:"seq"`
		Prev        string     `json:"prev"`
		Submission  string     `json:"submission"`
		Desk        string     `json:"desk"`
		ReceivedDay string     `json:"received_day"`
		Objects     []struct{} `json:"objects"`
	}{1, seq, hex.EncodeToString(prev[:]), id, desk, received, []struct{}{}}
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // only strings and numbers
	}
	return b
}

// popular picks an entity of a desk, skewed so that a few entities are
// named by many submissions, as the forwarders of a smuggling route are.
func (s *seeder) popular(desk int) int {
	d := s.desks[desk]
	if d.to == d.from {
		return -1
	}
	u := s.r.Float64()
	return d.from + int(float64(d.to-d.from)*u*u*u)
}

var linkRoles = []entities.Role{entities.Subject, entities.Exporter, entities.Distributor, entities.FreightForwarder,
	entities.Consignee, entities.EndUser, entities.Financier, entities.Witness}

// links links submissions to entities of their desk (none to four each),
// then sets each entity's corroboration counters.
func (s *seeder) links(ctx context.Context) error {
	b := newBulk(s.db, "entity_submission_links", "entity_id", "submission_id", "desk_id", "received_day", "role", "linked_by", "linked_at")
	at := s.o.Today
	for i, sub := range s.subs {
		var picked []int
		for range s.r.IntN(5) {
			e := s.popular(sub.desk)
			if e < 0 || slices.Contains(picked, e) {
				continue
			}
			picked = append(picked, e)
			if err := b.add(ctx, s.entities[e].id, sub.id, s.desks[sub.desk].id, day(sub.day), string(pick(s.r, linkRoles)), s.userID, at); err != nil {
				return err
			}
		}
		if (i+1)%200000 == 0 {
			s.logf("links of %d submissions", i+1)
		}
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	s.stats.SubmissionLinks = b.n
	// Set the corroboration counters of every linked entity at once, as
	// migration 00014 does.
	err := s.db.WithContext(ctx).Exec(`UPDATE entities SET submission_count = x.n, first_seen_day = x.first_day, last_seen_day = x.last_day
		FROM (SELECT l.entity_id, COUNT(DISTINCT l.submission_id) AS n, MIN(s.received_day) AS first_day, MAX(s.received_day) AS last_day
		FROM entity_submission_links l JOIN submissions s ON s.id = l.submission_id GROUP BY l.entity_id) x
		WHERE entities.id = x.entity_id`).Error
	if err != nil {
		return fmt.Errorf("devseed: corroboration counters: %w", err)
	}
	s.logf("%d submission links", b.n)
	return nil
}

var caseWords = []string{"Diversion via Singapore", "Transshipment through Dubai", "Relabelled H100 servers", "Hong Kong shell network",
	"Cloud rental of A100 clusters", "Smuggled H20 boards", "Malaysian data-centre resale", "Front company in Jebel Ali"}

// cases opens one case per forty submissions, each grouping two to five
// submissions of its desk and naming one to three of its entities.
func (s *seeder) cases(ctx context.Context) error {
	cs := newBulk(s.db, "cases", "id", "desk_id", "title", "lead_id", "status", "created_at", "updated_at")
	csubs := newBulk(s.db, "case_submissions", "case_id", "submission_id", "desk_id").after(cs)
	clinks := newBulk(s.db, "entity_case_links", "entity_id", "case_id", "desk_id", "role", "linked_by", "linked_at").after(cs)
	perDesk := make([][]int, len(s.desks))
	for i, sub := range s.subs {
		perDesk[sub.desk] = append(perDesk[sub.desk], i)
	}
	n := len(s.subs) / 40
	for i := range n {
		d := s.deskOf()
		if len(perDesk[d]) == 0 {
			continue
		}
		id := s.newID()
		at := s.o.Today.AddDate(0, 0, -s.r.IntN(700))
		status := pick(s.r, casework.CaseStatuses)
		title := fmt.Sprintf("%s (%d)", pick(s.r, caseWords), i+1)
		if err := cs.add(ctx, id, s.desks[d].id, title, s.userID, string(status), at, at); err != nil {
			return err
		}
		var subs []int
		for range 2 + s.r.IntN(4) {
			j := perDesk[d][s.r.IntN(len(perDesk[d]))]
			if slices.Contains(subs, j) {
				continue
			}
			subs = append(subs, j)
			if err := csubs.add(ctx, id, s.subs[j].id, s.desks[d].id); err != nil {
				return err
			}
		}
		var ents []int
		for range 1 + s.r.IntN(3) {
			e := s.popular(d)
			if e < 0 || slices.Contains(ents, e) {
				continue
			}
			ents = append(ents, e)
			if err := clinks.add(ctx, s.entities[e].id, id, s.desks[d].id, string(pick(s.r, linkRoles)), s.userID, at); err != nil {
				return err
			}
		}
	}
	for _, b := range []*bulk{cs, csubs, clinks} {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	s.stats.Cases, s.stats.CaseLinks = cs.n, clinks.n
	s.logf("%d cases, %d entity links of cases", cs.n, clinks.n)
	return nil
}

var relationTypes = []entities.RelationType{entities.Owns, entities.DirectorOf, entities.ShipsFor, entities.SharesAddress, entities.ShipsFor}

// relations relates about three in ten entities to another of their desk.
func (s *seeder) relations(ctx context.Context) error {
	b := newBulk(s.db, "entity_relations", "from_id", "to_id", "desk_id", "type", "created_by", "created_at")
	type rel struct {
		from, to int
		t        entities.RelationType
	}
	seen := map[rel]bool{}
	for range len(s.entities) * 3 / 10 {
		d := s.deskOf()
		from, to := s.popular(d), s.popular(d)
		r := rel{from, to, pick(s.r, relationTypes)}
		if from < 0 || from == to || seen[r] {
			continue
		}
		seen[r] = true
		if err := b.add(ctx, s.entities[from].id, s.entities[to].id, s.desks[d].id, string(r.t), s.userID, s.o.Today); err != nil {
			return err
		}
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	s.stats.Relations = b.n
	s.logf("%d relations", b.n)
	return nil
}

// analyze refreshes the planner's statistics after the bulk load and, on
// PostgreSQL, vacuums as autovacuum would soon: the visibility map lets
// index-only scans skip the heap, and the trigram index's pending list of
// fresh entries, which every search would scan, is merged into the index.
func (s *seeder) analyze(ctx context.Context) error {
	q := "ANALYZE"
	if s.db.Dialect == database.Postgres {
		q = "VACUUM ANALYZE"
	}
	if err := s.db.WithContext(ctx).Exec(q).Error; err != nil {
		return fmt.Errorf("devseed: analyze: %w", err)
	}
	return nil
}
