package discord

import (
	"context"
	"slices"

	"github.com/commsbot/commsbot/bot"
)

type memberKey struct{}

// member is who acts in an interaction and the roles they hold in its
// guild, as Discord signed them into the interaction.
type member struct {
	id    string
	roles []string
}

// withMember carries the acting user's guild roles to RoleCoordinators.
func withMember(ctx context.Context, userID string, roles []string) context.Context {
	return context.WithValue(ctx, memberKey{}, member{id: userID, roles: roles})
}

// RoleCoordinators makes holders of a Discord role ATIP coordinators, on
// top of Next (the ATIP_COORDINATORS list). The role is read from the
// interaction being handled — i.Member.Roles, present in guild interactions
// only — so it counts only for that interaction's user, and only for
// actions taken from Discord.
type RoleCoordinators struct {
	Next bot.Coordinators
	Role string
}

// IsCoordinator implements bot.Coordinators.
func (c RoleCoordinators) IsCoordinator(ctx context.Context, p bot.Person) (bool, error) {
	if c.Next != nil {
		if ok, err := c.Next.IsCoordinator(ctx, p); ok || err != nil {
			return ok, err
		}
	}
	m, ok := ctx.Value(memberKey{}).(member)
	return ok && c.Role != "" && p.ID == Platform+":"+m.id && slices.Contains(m.roles, c.Role), nil
}
