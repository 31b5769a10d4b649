package bot

import (
	"context"
	"strings"
	"testing"
)

type noStore struct{ Store }

func TestDigestHelp(t *testing.T) {
	b := &Bot{store: noStore{}}
	manager := Request{MayManage: func(context.Context) bool { return true }}
	member := Request{MayManage: func(context.Context) bool { return false }}

	s, ok := b.digestHelp(t.Context(), manager, "/brief", "kazakhstan")
	var labels []string
	for _, bl := range s.Blocks {
		labels = append(labels, bl.Label)
	}
	for _, want := range []string{"/brief subscribe daily 08:00 Europe/Berlin kazakhstan", "/brief subscriptions", "/brief unsubscribe <id>", "/brief digest kazakhstan"} {
		if !ok || !strings.Contains(strings.Join(labels, "\n"), want) {
			t.Errorf("a channel manager's help lacks %q: %+v", want, s)
		}
	}
	// Every example it teaches is one the subscribe grammar takes.
	if _, err := parseSubscribe(strings.Fields("daily 08:00 Europe/Berlin kazakhstan")); err != nil {
		t.Errorf("the taught example does not parse: %v", err)
	}
	for _, ex := range []string{"weekdays 07:30", "weekly monday 08:00"} {
		if _, err := parseSubscribe(strings.Fields(ex)); err != nil {
			t.Errorf("%q, named in help, does not parse: %v", ex, err)
		}
	}

	s, ok = b.digestHelp(t.Context(), member, "/brief", "kazakhstan")
	if !ok || len(s.Blocks) != 1 || s.Blocks[0].Bullet || strings.Contains(s.Blocks[0].Text, "unsubscribe") || !strings.Contains(s.Blocks[0].Text, "/brief subscribe") {
		t.Errorf("a member's help = %+v, want one line saying who sets digests up", s)
	}
	if _, ok := (&Bot{}).digestHelp(t.Context(), manager, "/brief", "kazakhstan"); ok {
		t.Error("a bot without a store teaches digests")
	}
}
