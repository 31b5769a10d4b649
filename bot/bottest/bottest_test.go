package bottest_test

import (
	"testing"

	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

// The Slack adapter declares the event log it uses; the fake is one.
var _ slack.EventLog = (*bottest.Store)(nil)

// The in-memory store keeps the same contract as the real ones, so tests
// built on it mean what they say.
func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return bottest.NewStore() })
}

func TestCorrectionsContract(t *testing.T) {
	storetest.RunCorrections(t, func(t *testing.T) storetest.CorrectionStore { return bottest.NewStore() })
}
