package bottest_test

import (
	"testing"

	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

func TestHistoryContract(t *testing.T) {
	storetest.RunHistory(t, func(t *testing.T) storetest.HistoryStore { return bottest.NewHistory() })
	storetest.RunFirstSeen(t, func(t *testing.T) storetest.FirstSeenStore { return bottest.NewHistory() })
}
