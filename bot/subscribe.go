package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// The chat commands for digests:
//
//	subscribe daily 08:00 [Zone] [topics…]
//	subscribe weekdays 07:30 [Zone] [topics…]
//	subscribe weekly monday 08:00 [Zone] [topics…]
//	subscriptions
//	unsubscribe <id>
//	digest [topics…]            a preview, only to the caller

const subscribeUsage = "subscribe daily|weekdays|weekly <day> HH:MM [Area/City] [topics…]"

// Caps on a subscription's topics: a digest of more than a handful of
// topics is the digest of all of them, and a topic word longer than any
// topic or alias is a paste gone wrong, not a topic.
const (
	maxSubscribeTopics   = 10
	maxSubscribeTopicLen = 64
)

func (b *Bot) subscribe(ctx context.Context, req Request, args []string) Reply {
	r := Reply{Kind: KindSubscriptions, Title: "Subscribe", Visibility: VisibilityPrivate}
	if b.store == nil {
		return refusal(r, "Digests are not set up on this bot: it has no store.")
	}
	if !req.mayManage(ctx) {
		return refusal(r, "Only people who may manage this channel can change its digests.")
	}
	if req.Channel == "" {
		return refusal(r, "Subscribe from the channel that should receive the digest.")
	}
	sub, err := parseSubscribe(args)
	if err != nil {
		r = refusal(r, err.Error())
		r.Notes = append(r.Notes, "Usage: "+b.commandFor(req)+" "+subscribeUsage)
		return r
	}
	sched, err := ParseSchedule(sub.Schedule, sub.Timezone)
	if err != nil {
		return refusal(r, err.Error())
	}
	if msg := checkTopicWords(sub.Topics); msg != "" {
		return refusal(r, msg)
	}
	if sub.Topics, err = resolveTopics(b.lib.Load(), sub.Topics); err != nil {
		return refusal(r, err.Error())
	}
	sub.Platform = req.Platform
	sub.Channel = req.Channel
	// A replayed or repeated subscribe must not make a second digest.
	existing, err := b.store.Subscriptions(ctx)
	if err != nil {
		b.log.ErrorContext(ctx, "list subscriptions", "err", err)
		return refusal(r, "The subscriptions could not be read; please try again.")
	}
	for _, e := range existing {
		if sameDigest(e, sub) {
			return refusal(r, fmt.Sprintf("This channel already has this digest: subscription %s. See %s subscriptions.", e.ID, b.commandFor(req)))
		}
	}
	sub.ID = newSubscriptionID()
	sub.Source = SourceChat
	sub.CreatedBy = req.User
	sub.CreatedAt = b.now()
	sub.Include = "new"
	sub.WhenEmpty = "skip"
	if err := b.store.SaveSubscription(ctx, sub); err != nil {
		b.log.ErrorContext(ctx, "save subscription", "subscription", sub.ID, "err", err)
		return refusal(r, "The subscription could not be saved; please try again.")
	}
	if b.changed != nil {
		b.changed()
	}
	r.Title = "Subscribed"
	r.Visibility = VisibilityDefault
	topics := "all topics"
	if len(sub.Topics) > 0 {
		topics = strings.Join(sub.Topics, ", ")
	}
	r.Lede = []string{fmt.Sprintf("This channel gets a digest of %s %s (%s). Next: %s.",
		topics, describeSchedule(sub), sub.Timezone, formatIn(sched.Next(b.now()), sched.Location()))}
	r.Notes = append(r.Notes, fmt.Sprintf("Subscription %s. Stop it with %s unsubscribe %s.", sub.ID, b.commandFor(req), sub.ID))
	return r
}

// checkTopicWords says what is wrong with the topic words of a subscribe,
// "" when they are within the caps.
func checkTopicWords(words []string) string {
	if len(words) > maxSubscribeTopics {
		return fmt.Sprintf("A digest takes at most %d topics, not %d; leave the topics out for a digest of all of them.", maxSubscribeTopics, len(words))
	}
	for _, w := range words {
		if n := len([]rune(w)); n > maxSubscribeTopicLen {
			return fmt.Sprintf("A topic is at most %d characters; %q… has %d.", maxSubscribeTopicLen, string([]rune(w)[:20]), n)
		}
	}
	return ""
}

// sameDigest reports whether a and b post the same digest to the same
// channel: platform, channel, schedule, zone and topics (in any order).
func sameDigest(a, b Subscription) bool {
	if a.Platform != b.Platform || a.Channel != b.Channel || a.Schedule != b.Schedule || a.Timezone != b.Timezone || len(a.Topics) != len(b.Topics) {
		return false
	}
	want := make(map[string]int, len(a.Topics))
	for _, t := range a.Topics {
		want[strings.ToLower(t)]++
	}
	for _, t := range b.Topics {
		k := strings.ToLower(t)
		if want[k] == 0 {
			return false
		}
		want[k]--
	}
	return true
}

func (b *Bot) unsubscribe(ctx context.Context, req Request, args []string) Reply {
	r := Reply{Kind: KindSubscriptions, Title: "Unsubscribe", Visibility: VisibilityPrivate}
	if b.store == nil {
		return refusal(r, "Digests are not set up on this bot: it has no store.")
	}
	if !req.mayManage(ctx) {
		return refusal(r, "Only people who may manage this channel can change its digests.")
	}
	if len(args) != 1 {
		return refusal(r, "Usage: "+b.commandFor(req)+" unsubscribe <id> (see "+b.commandFor(req)+" subscriptions).")
	}
	sub, err := b.store.Subscription(ctx, args[0])
	if errors.Is(err, ErrNotFound) || err == nil && (sub.Channel != req.Channel || sub.Platform != req.Platform) {
		return refusal(r, fmt.Sprintf("This channel has no subscription %q.", args[0]))
	}
	if err != nil {
		b.log.ErrorContext(ctx, "read subscription", "subscription", args[0], "err", err)
		return refusal(r, "The subscription could not be read; please try again.")
	}
	if sub.Source == SourceConfig {
		return refusal(r, fmt.Sprintf("Subscription %s is defined in the bot's configuration file; ask an operator to remove it there.", sub.ID))
	}
	if err := b.store.DeleteSubscription(ctx, sub.ID); err != nil {
		b.log.ErrorContext(ctx, "delete subscription", "subscription", sub.ID, "err", err)
		return refusal(r, "The subscription could not be removed; please try again.")
	}
	if b.changed != nil {
		b.changed()
	}
	r.Title = "Unsubscribed"
	r.Visibility = VisibilityDefault
	r.Lede = []string{fmt.Sprintf("Subscription %s is gone; this channel gets no more of its digests.", sub.ID)}
	return r
}

func (b *Bot) subscriptions(ctx context.Context, req Request) Reply {
	r := Reply{Kind: KindSubscriptions, Title: "Digest subscriptions", Visibility: VisibilityPrivate}
	if b.store == nil {
		return refusal(r, "Digests are not set up on this bot: it has no store.")
	}
	subs, err := b.store.Subscriptions(ctx)
	if err != nil {
		b.log.ErrorContext(ctx, "list subscriptions", "err", err)
		return refusal(r, "The subscriptions could not be read; please try again.")
	}
	now := b.now()
	for _, s := range subs {
		if req.Channel != "" && (s.Channel != req.Channel || s.Platform != req.Platform) {
			continue
		}
		r.Items = append(r.Items, subscriptionItem(s, now))
	}
	if len(r.Items) == 0 {
		r.Notes = append(r.Notes, "This channel has no digest subscriptions. "+b.commandFor(req)+" "+subscribeUsage)
	}
	return r
}

// subscriptionItem describes a subscription for a list: schedule, next run,
// last delivery and last error.
func subscriptionItem(s Subscription, now time.Time) Item {
	it := Item{Title: fmt.Sprintf("%s: %s %s", s.ID, s.Schedule, s.Timezone)}
	var parts []string
	if len(s.Topics) > 0 {
		parts = append(parts, "topics "+strings.Join(s.Topics, ", "))
	}
	sched, err := ParseSchedule(s.Schedule, s.Timezone)
	switch {
	case s.Paused:
		parts = append(parts, "paused: "+s.PausedReason)
	case err != nil:
		parts = append(parts, "bad schedule: "+err.Error())
	default:
		parts = append(parts, "next "+formatIn(sched.Next(now), sched.Location()))
	}
	if s.LastDelivered.IsZero() {
		parts = append(parts, "never delivered")
	} else {
		parts = append(parts, "last delivered "+formatIn(s.LastDelivered, sched.Location()))
	}
	if s.LastError != "" {
		parts = append(parts, "last error: "+s.LastError)
	}
	it.Text = strings.Join(parts, "; ")
	return it
}

func (b *Bot) preview(ctx context.Context, req Request, topics []string) Reply {
	now := b.now()
	sub := Subscription{ID: "preview", Topics: topics, Include: "new", Timezone: "UTC"}
	r, ok := b.Digest(ctx, DigestRequest{Subscription: sub, Slot: now})
	if !ok {
		sub.Include = "all"
		r, _ = b.Digest(ctx, DigestRequest{Subscription: sub, Slot: now})
		r.Notes = append([]string{"Nothing is new in the last 24 hours; this preview shows the latest briefings."}, r.Notes...)
	}
	r.Title = "Preview: " + r.Title
	r.Visibility = VisibilityPrivate
	return r
}

func refusal(r Reply, msg string) Reply {
	r.Kind = KindError
	r.Notes = append(r.Notes, msg)
	return r
}

var weekdays = map[string]string{
	"sunday": "0", "sun": "0", "monday": "1", "mon": "1", "tuesday": "2", "tue": "2",
	"wednesday": "3", "wed": "3", "thursday": "4", "thu": "4", "friday": "5", "fri": "5",
	"saturday": "6", "sat": "6",
}

// parseSubscribe reads "daily 08:00 [Zone] [topics…]" and its kin.
func parseSubscribe(args []string) (Subscription, error) {
	var sub Subscription
	if len(args) < 2 {
		return sub, errors.New("say how often and at what time")
	}
	dow := "*"
	switch strings.ToLower(args[0]) {
	case "daily", "everyday":
	case "weekdays":
		dow = "1-5"
	case "weekly":
		d, ok := weekdays[strings.ToLower(args[1])]
		if !ok {
			return sub, fmt.Errorf("%q is not a day of the week", args[1])
		}
		dow = d
		args = args[1:]
		if len(args) < 2 {
			return sub, errors.New("say at what time, like 08:00")
		}
	default:
		return sub, fmt.Errorf("%q: say daily, weekdays or weekly <day>", args[0])
	}
	t, err := time.Parse("15:04", args[1])
	if err != nil {
		return sub, fmt.Errorf("%q is not a time of day like 08:00", args[1])
	}
	sub.Schedule = fmt.Sprintf("%d %d * * %s", t.Minute(), t.Hour(), dow)
	sub.Timezone = "UTC"
	rest := args[2:]
	if len(rest) > 0 {
		zone, isZone, err := parseZone(rest[0])
		if err != nil {
			return sub, err
		}
		if isZone {
			sub.Timezone = zone
			rest = rest[1:]
		}
	}
	sub.Topics = rest
	return sub, nil
}

// parseZone reads an IANA zone name such as Asia/Almaty, or UTC.
func parseZone(word string) (zone string, ok bool, err error) {
	if strings.EqualFold(word, "utc") || strings.EqualFold(word, "gmt") {
		return "UTC", true, nil
	}
	if strings.Contains(word, "/") {
		if _, err := time.LoadLocation(word); err != nil {
			return "", false, fmt.Errorf("%q is not a time zone (want an IANA name such as Asia/Almaty)", word)
		}
		return word, true, nil
	}
	return "", false, nil
}

// resolveTopics groups the words after the time into the library's topics
// (longest topic or alias first, "red sea" being one topic) or tags. A word
// that is neither is refused, with the closest topics as advice.
func resolveTopics(lib *briefings.Library, words []string) ([]string, error) {
	tags := make(map[string]bool)
	for _, br := range lib.Topics() {
		for _, t := range br.Tags {
			tags[briefings.Normalize(t)] = true
		}
	}
	var topics []string
	for len(words) > 0 {
		if m, ok := lib.Match(words); ok {
			topics = append(topics, strings.ToLower(strings.Join(words[:m.Words], " ")))
			words = words[m.Words:]
			continue
		}
		if n := briefings.Normalize(words[0]); tags[n] {
			topics = append(topics, n)
			words = words[1:]
			continue
		}
		w := words[0]
		if len(w) >= 3 && len(w) <= 5 && strings.ToUpper(w) == w || strings.EqualFold(w, "local") {
			return nil, fmt.Errorf("%q is neither a topic nor a time zone; name the zone in full, such as Europe/Berlin or America/New_York", w)
		}
		msg := fmt.Sprintf("%q is not a topic or tag of any briefing", w)
		var names []string
		for _, br := range lib.Suggest(w, 3) {
			names = append(names, br.Topic)
		}
		if len(names) > 0 {
			msg += "; did you mean " + strings.Join(names, ", ") + "?"
		}
		return nil, errors.New(msg)
	}
	return topics, nil
}

func describeSchedule(s Subscription) string {
	f := strings.Fields(s.Schedule)
	if len(f) != 5 {
		return s.Schedule
	}
	at := fmt.Sprintf("%02s:%02s", f[1], f[0])
	switch f[4] {
	case "*":
		return "daily at " + at
	case "1-5":
		return "on weekdays at " + at
	}
	for name, n := range weekdays {
		if n == f[4] && len(name) > 3 {
			return "every " + strings.ToUpper(name[:1]) + name[1:] + " at " + at
		}
	}
	return s.Schedule
}

func formatIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "never"
	}
	return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}

func newSubscriptionID() string {
	return "sub-" + strings.ToLower(rand.Text()[:8])
}
