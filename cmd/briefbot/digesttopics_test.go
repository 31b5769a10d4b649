package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
)

func TestWarnUnknownTopicsNamesDigestAndNearest(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	subs := []bot.Subscription{
		{ID: "morning", Topics: []string{"kazakstan"}},
		{ID: "fine", Topics: []string{"kazakhstan"}},
	}
	if n := warnUnknownTopics(log, briefings.Sample(), subs); n != 1 {
		t.Errorf("found %d unknown topics, want 1", n)
	}
	out := buf.String()
	for _, want := range []string{"level=WARN", "digest=morning", "topic=kazakstan", "nearest=Kazakhstan"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "digest=fine") {
		t.Errorf("a digest with a known topic was warned about:\n%s", out)
	}
}
