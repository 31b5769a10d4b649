package bottest_test

import (
	"testing"

	"github.com/briefbot/briefbot/bot/bottest"
	"github.com/briefbot/briefbot/bot/store/storetest"
)

func TestWorkspacesContract(t *testing.T) {
	storetest.RunWorkspaces(t, func(t *testing.T) storetest.WorkspaceStore { return bottest.NewWorkspaces() })
}
