package intake

import (
	"context"
	"log/slog"
	"regexp"
	"time"
)

// NewLogger returns the intake logger on h: the one logger of the intake
// listener's lines and of the intake service. A source's actions show in
// its lines only to the hour, and with no id that could tie a line to a
// submission: each line's time is truncated to the hour, and every
// submission, object or blob id in a value (see blob.NewKey) reads "[id]".
func NewLogger(h slog.Handler) *slog.Logger {
	return slog.New(intakeHandler{h})
}

// intakeHandler coarsens times and hides ids on the way to its Handler.
type intakeHandler struct {
	slog.Handler
}

// randomID matches the 26 lowercase base32 characters of blob.NewKey, the
// ids of submissions, objects, upload sessions and blobs.
var randomID = regexp.MustCompile(`\b[a-z2-7]{26}\b`)

func (h intakeHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time.UTC().Truncate(time.Hour), r.Level, randomID.ReplaceAllString(r.Message, "[id]"), 0)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(hideIDs(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h intakeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	hidden := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		hidden[i] = hideIDs(a)
	}
	return intakeHandler{h.Handler.WithAttrs(hidden)}
}

func (h intakeHandler) WithGroup(name string) slog.Handler {
	return intakeHandler{h.Handler.WithGroup(name)}
}

// hideIDs returns a with every id in its value replaced by "[id]". Values
// other than numbers, booleans, times and durations (errors above all) are
// logged as their text.
func hideIDs(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindInt64, slog.KindUint64, slog.KindFloat64, slog.KindBool, slog.KindDuration:
		return slog.Attr{Key: a.Key, Value: v}
	case slog.KindTime:
		return slog.Time(a.Key, v.Time().UTC().Truncate(time.Hour))
	case slog.KindGroup:
		group := v.Group()
		hidden := make([]any, len(group))
		for i, g := range group {
			hidden[i] = hideIDs(g)
		}
		return slog.Group(a.Key, hidden...)
	}
	return slog.String(a.Key, randomID.ReplaceAllString(v.String(), "[id]"))
}
