package bottest_test

import (
	"testing"

	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

func TestAnalyticsContract(t *testing.T) {
	storetest.RunAnalytics(t, func(t *testing.T) storetest.AnalyticsStore { return bottest.NewAnalytics() })
}
