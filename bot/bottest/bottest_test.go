package bottest_test

import (
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

// The in-memory store keeps the same contract as the real ones, so tests
// built on it mean what they say.
func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) bot.Store { return bottest.NewStore() })
}
