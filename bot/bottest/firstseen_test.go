package bottest_test

import (
	"testing"

	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

func TestFirstSeenContract(t *testing.T) {
	storetest.RunFirstSeen(t, func(t *testing.T) storetest.FirstSeenStore { return bottest.NewFirstSeen() })
}
