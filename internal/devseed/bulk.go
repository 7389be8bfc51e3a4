package devseed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tipline/tipline/database"
)

// day is a DATE value: text for SQLite, a time for PostgreSQL's COPY.
type day string

// bulk inserts rows into one table in batches: COPY on PostgreSQL,
// multi-row INSERTs in a transaction on SQLite.
type bulk struct {
	db    *database.DB
	table string
	cols  []string
	rows  [][]any
	batch int
	n     int64 // rows written
	// parents are flushed first: the tables this one's foreign keys name.
	parents []*bulk
}

func newBulk(db *database.DB, table string, cols ...string) *bulk {
	b := &bulk{db: db, table: table, cols: cols, batch: 20000}
	if db.Dialect == database.SQLite {
		b.batch = min(500, 30000/len(cols)) // under SQLite's bound on parameters
	}
	return b
}

func (b *bulk) add(ctx context.Context, vals ...any) error {
	b.rows = append(b.rows, vals)
	if len(b.rows) >= b.batch {
		return b.flush(ctx)
	}
	return nil
}

// after makes b flush its parents before itself.
func (b *bulk) after(parents ...*bulk) *bulk {
	b.parents = parents
	return b
}

func (b *bulk) flush(ctx context.Context) error {
	for _, p := range b.parents {
		if err := p.flush(ctx); err != nil {
			return err
		}
	}
	if len(b.rows) == 0 {
		return nil
	}
	var err error
	if b.db.Dialect == database.Postgres {
		err = b.copyRows(ctx)
	} else {
		err = b.insertRows(ctx)
	}
	if err != nil {
		return fmt.Errorf("devseed: %s: %w", b.table, err)
	}
	b.n += int64(len(b.rows))
	b.rows = b.rows[:0]
	return nil
}

func (b *bulk) copyRows(ctx context.Context) error {
	for _, row := range b.rows {
		for i, v := range row {
			if d, ok := v.(day); ok {
				t, err := time.Parse(time.DateOnly, string(d))
				if err != nil {
					return err
				}
				row[i] = t
			}
		}
	}
	conn, err := b.db.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("PostgreSQL driver connection is a %T, not pgx's", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{b.table}, b.cols, pgx.CopyFromRows(b.rows))
		return err
	})
}

func (b *bulk) insertRows(ctx context.Context) error {
	var q strings.Builder
	fmt.Fprintf(&q, "INSERT INTO %s (%s) VALUES ", b.table, strings.Join(b.cols, ", "))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	args := make([]any, 0, len(b.rows)*len(b.cols))
	for i, row := range b.rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(one)
		for _, v := range row {
			if d, ok := v.(day); ok {
				v = string(d)
			}
			args = append(args, v)
		}
	}
	tx, err := b.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return err
	}
	return tx.Commit()
}
