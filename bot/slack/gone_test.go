package slack

import (
	"fmt"
	"testing"

	"github.com/briefbot/briefbot/bot"
)

// TestGoneChannelCodes: the codes that name the channel as the problem
// pause a digest at once; other permanent codes (a missing scope, a
// revoked token) pause it only after repeated failures, since an admin
// may fix them without touching the channel.
func TestGoneChannelCodes(t *testing.T) {
	for code, gone := range map[string]bool{
		"channel_not_found": true,
		"not_in_channel":    true,
		"is_archived":       true,
		"missing_scope":     false,
		"token_revoked":     false,
	} {
		err := fmt.Errorf("post to slack channel C1: %w", &PermanentError{Code: code})
		if !bot.IsPermanent(err) || bot.IsTargetGone(err) != gone {
			t.Errorf("%s: permanent %v, gone %v; want permanent, gone %v", code, bot.IsPermanent(err), bot.IsTargetGone(err), gone)
		}
	}
}
