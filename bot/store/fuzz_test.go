package store_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/briefbot/briefbot/bot"
)

// FuzzRoundTrip feeds chat-typed text (subscription fields) and platform
// error text to the store: a subscription is either refused as invalid text
// or read back exactly, and a delivery is always recorded, so a strange
// error message can never leave a slot claimed to be posted twice.
func FuzzRoundTrip(f *testing.F) {
	f.Add("kz-morning", "C0123", "kazakhstan", "channel_not_found")
	f.Add("a'; DROP TABLE subscriptions; --", "#général", "Қазақстан", "ошибка \"quoted\"")
	f.Add("x", "c", "t\x00", "bad \xff utf8 \x00")
	db := openSQLite(f, filepath.Join(f.TempDir(), "fuzz.db"))
	f.Cleanup(func() { db.Close() })
	slot := time.Date(2025, 3, 10, 3, 0, 0, 0, time.UTC)

	f.Fuzz(func(t *testing.T, id, channel, topic, errText string) {
		ctx := t.Context()
		s := bot.Subscription{ID: id, Platform: bot.Platform("slack"), Channel: channel, Schedule: "@daily",
			Topics: []string{topic}, Source: bot.SourceChat, CreatedAt: slot}
		err := db.SaveSubscription(ctx, s)
		valid := func(v string) bool { return v != "" && utf8.ValidString(v) && !strings.ContainsRune(v, 0) }
		if !valid(id) || !valid(channel) || !utf8.ValidString(topic) || strings.ContainsRune(topic, 0) {
			if err == nil {
				t.Fatalf("SaveSubscription(%q, %q, %q) accepted invalid text", id, channel, topic)
			}
			return
		}
		if err != nil {
			t.Fatalf("SaveSubscription(%q, %q, %q): %v", id, channel, topic, err)
		}
		defer db.DeleteSubscription(ctx, id)
		got, err := db.Subscription(ctx, id)
		if err != nil {
			t.Fatalf("Subscription(%q): %v", id, err)
		}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Fatalf("round trip mismatch (-saved +got):\n%s", diff)
		}

		c, ok, err := db.ClaimSlot(ctx, id, slot, "r1", time.Minute, slot)
		if err != nil || !ok {
			t.Fatalf("ClaimSlot(%q) = %t, %v", id, ok, err)
		}
		after, err := db.CompleteSlot(ctx, c, bot.Delivery{Outcome: bot.OutcomeFailed, Error: errText, Permanent: true, At: slot})
		if err != nil {
			t.Fatalf("CompleteSlot with error text %q: %v", errText, err)
		}
		want := strings.ReplaceAll(strings.ToValidUTF8(errText, "\uFFFD"), "\x00", "")
		if after.LastError != want {
			t.Fatalf("LastError = %q, want %q", after.LastError, want)
		}
	})
}
