package intake

import "context"

// Events hears that a source did something, to tell the desk's staff: only
// what happened and on which desk, never which submission or when more
// precisely than the hour it is told in. It must not fail or hold its
// caller (package notify queues and sends later).
type Events interface {
	TipReceived(ctx context.Context, desk string)
	SourceWrote(ctx context.Context, desk string)
}

// tipReceived tells Events (if any) of a committed tip.
func (s *Service) tipReceived(ctx context.Context, desk string) {
	if s.Events != nil {
		s.Events.TipReceived(ctx, desk)
	}
}

// sourceWrote tells Events (if any) of a committed follow-up.
func (s *Service) sourceWrote(ctx context.Context, desk string) {
	if s.Events != nil {
		s.Events.SourceWrote(ctx, desk)
	}
}
