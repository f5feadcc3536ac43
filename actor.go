package frontline

import "context"

// Actor is who makes a change: a signed-in user, a device token or a command
// run on the server. Every change records it.
type Actor struct {
	UserID int64  // 0 for the command line and system jobs
	Name   string // login, "cli:<os user>" or "system"
	Addr   string // remote address, empty for the command line
}

// String returns the name recorded with changes.
func (a Actor) String() string {
	if a.Name == "" {
		return "system"
	}
	return a.Name
}

type actorKey struct{}

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx, or the system actor.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Name: "system"}
}
