package database_test

import (
	"context"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/migrations"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		dialect database.Dialect
		wantErr string
	}{
		{"Postgres", "postgres://u:secret@db:5432/tipline?sslmode=disable", database.Postgres, ""},
		{"PostgresLongScheme", "postgresql://u@db/tipline", database.Postgres, ""},
		{"SQLitePath", "./tipline-data/tipline.db", database.SQLite, ""},
		{"SQLitePrefix", "sqlite:/var/lib/tipline/t.db", database.SQLite, ""},
		{"ErrEmpty", "", "", "empty"},
		{"ErrScheme", "mysql://u:secret@db/x", "", "unsupported scheme"},
		{"ErrPostgresNoHost", "postgres:///x?password=secret", "", "not a valid postgres"},
		{"ErrSQLiteQuery", "t.db?mode=ro", "", "not a valid SQLite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := database.ParseURL(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseURL(%q) error = %v, want %q", tt.raw, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q repeats the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Dialect != tt.dialect {
				t.Errorf("dialect = %q, want %q", got.Dialect, tt.dialect)
			}
		})
	}
}

// TestMigrationsMatchAcrossDialects keeps the per-dialect folders in step: the
// same numbered files must exist for every dialect.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	names := map[database.Dialect][]string{}
	for _, d := range dbtest.Dialects {
		entries, err := fs.ReadDir(migrations.FS, string(d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			names[d] = append(names[d], e.Name())
		}
	}
	if !slices.Equal(names[database.SQLite], names[database.Postgres]) {
		t.Errorf("migration files differ:\nsqlite:   %v\npostgres: %v", names[database.SQLite], names[database.Postgres])
	}
	if len(names[database.SQLite]) == 0 {
		t.Error("no migrations embedded")
	}
}

func TestMigrateFromEmpty(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.OpenEmpty(t, d)

			before, err := db.MigrationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(before) == 0 || before[0].Applied {
				t.Fatalf("fresh database status = %+v, want all pending", before)
			}

			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != len(before) {
				t.Errorf("applied %d migrations, want %d", len(applied), len(before))
			}
			again, err := db.Migrate(ctx)
			if err != nil || len(again) != 0 {
				t.Errorf("second Migrate = %v, %v; want nothing to do", again, err)
			}

			after, err := db.MigrationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range after {
				if !s.Applied {
					t.Errorf("migration %s still pending", s.Name)
				}
			}

			// A fresh install has the default desk.
			var defaultDesks int64
			if err := db.Raw("SELECT count(*) FROM desks WHERE slug = 'export-controls'").Scan(&defaultDesks).Error; err != nil || defaultDesks != 1 {
				t.Errorf("default desk: count %d, %v", defaultDesks, err)
			}
			// The schema is usable and enforces its constraints.
			if err := db.Exec("INSERT INTO desks (slug, title_en) VALUES ('sec-fraud', 'Securities fraud')").Error; err != nil {
				t.Fatalf("insert desk: %v", err)
			}
			if err := db.Exec("INSERT INTO desks (slug, title_en) VALUES ('Bad Slug', 'x')").Error; err == nil {
				t.Error("desk slug check constraint not enforced")
			}
			if err := db.Exec("INSERT INTO desk_keys (desk_id, fingerprint, armored) VALUES (999, 'ABCDEF0123456789ABCDEF0123456789ABCDEF01', 'x')").Error; err == nil {
				t.Error("foreign key not enforced")
			}
			if err := db.Exec("INSERT INTO submissions (id, desk_id, received_day, encrypted_by, lookup_key, reply_salt) VALUES ('NOT-A-RANDOM-ID', 1, '2026-01-01', 'server', ?, ?)", make([]byte, 32), make([]byte, 16)).Error; err == nil {
				t.Error("submission id check not enforced")
			}
		})
	}
}
