package bot

import (
	"context"
	"errors"
	"time"
)

// Subscription sources: where a subscription was defined.
const (
	// SourceConfig subscriptions come from the configuration file; they are
	// synced into the store at start and removed when the file drops them.
	SourceConfig = "config"
	// SourceChat subscriptions were created with "/brief subscribe"; config
	// syncs never touch them.
	SourceChat = "chat"
)

// Subscription is one channel's standing order for a digest. Its definition
// (platform, channel, schedule, topics…) is written with Store.SaveSubscription;
// its delivery state (Failures, LastDelivered, LastError…) is kept by the store
// as slots complete, and Paused is changed with SlotStore.SetPaused.
type Subscription struct {
	// ID names the subscription uniquely across sources.
	ID string
	// Platform and Channel say where digests are posted.
	Platform Platform
	Channel  string
	// Schedule is a cron expression or descriptor: "0 8 * * 1-5", "@daily",
	// "@weekly", "@every 10m".
	Schedule string
	// Timezone is the IANA zone the schedule is read in ("Asia/Almaty").
	Timezone string
	// Topics are the briefing topics the digest covers; empty means all.
	Topics []string
	// Include is "new" (only what changed since the last delivery) or "all".
	Include string
	// WhenEmpty is "skip" (post nothing) or "post" (say there is nothing new).
	WhenEmpty string
	// Corrections says what happens when a briefing in a posted digest
	// changes within CorrectionsWindow: CorrectionsEdit (also "") edits
	// the posted digest, CorrectionsFollowUp posts a threaded note,
	// CorrectionsOff does neither.
	Corrections string
	// CorrectionsWindow is how long after posting a digest is corrected;
	// zero means DefaultCorrectionsWindow.
	CorrectionsWindow time.Duration
	// Source is SourceConfig or SourceChat.
	Source string
	// CreatedBy is the platform user who subscribed; empty for config.
	CreatedBy string
	// CreatedAt is when the subscription was first saved; later saves keep it.
	CreatedAt time.Time

	// Paused stops the scheduler from posting; PausedReason says why
	// ("3 consecutive failures: channel_not_found", "paused by U123").
	Paused       bool
	PausedReason string
	// Failures counts consecutive permanent delivery failures.
	Failures int
	// LastDelivered is the slot of the last successful delivery (posted or
	// delayed), zero if never.
	LastDelivered time.Time
	// LastError is the error of the latest failed delivery, cleared once a
	// later delivery succeeds; LastErrorAt is when it was recorded.
	LastError   string
	LastErrorAt time.Time
}

// Claim is a replica's exclusive, leased right to post one slot of one
// subscription. A slot is one scheduled time, identical on every replica.
type Claim struct {
	Subscription string
	// Slot is the scheduled time, in UTC.
	Slot time.Time
	// Owner identifies the replica holding the claim.
	Owner string
	// Expires is when the lease ends and another replica may take over.
	Expires time.Time
	// Takeover is true when a previous owner's claim expired unfinished: that
	// owner may have posted already, so the new owner should check the
	// platform before posting again.
	Takeover bool
	// PreviousOwner is the owner whose expired claim was taken over.
	PreviousOwner string
}

// SlotOutcome says how a slot ended.
type SlotOutcome string

// Slot outcomes, also used as the "outcome" label of metrics and logs.
const (
	// OutcomePosted: the digest was posted on time.
	OutcomePosted SlotOutcome = "posted"
	// OutcomeDelayed: the digest was posted late, after downtime, within the grace.
	OutcomeDelayed SlotOutcome = "delayed"
	// OutcomeEmpty: there was nothing to post and the subscription skips empty digests.
	OutcomeEmpty SlotOutcome = "empty"
	// OutcomeSkipped: the slot was missed beyond the grace and not posted.
	OutcomeSkipped SlotOutcome = "skipped"
	// OutcomeFailed: posting failed; see Delivery.Error and Delivery.Permanent.
	OutcomeFailed SlotOutcome = "failed"
)

// Valid reports whether o is one of the known outcomes.
func (o SlotOutcome) Valid() bool {
	switch o {
	case OutcomePosted, OutcomeDelayed, OutcomeEmpty, OutcomeSkipped, OutcomeFailed:
		return true
	}
	return false
}

// Delivered reports whether the outcome put a digest in the channel.
func (o SlotOutcome) Delivered() bool { return o == OutcomePosted || o == OutcomeDelayed }

// Delivery is the record of how one slot ended.
type Delivery struct {
	Subscription string
	// Slot is the scheduled time, in UTC.
	Slot    time.Time
	Outcome SlotOutcome
	// Error is the operator-facing error of a failed delivery.
	Error string
	// Permanent marks a failure that retrying will not fix (channel gone,
	// bot removed); consecutive permanent failures pause the subscription.
	Permanent bool
	// MessageIDs are the platform message identifiers posted for the slot.
	MessageIDs []string
	// Owner is the replica that completed the slot.
	Owner string
	// At is when the slot was completed.
	At time.Time
}

// Errors a Store returns, to be tested with errors.Is.
var (
	// ErrNotFound means no subscription has the given ID.
	ErrNotFound = errors.New("subscription not found")
	// ErrClaimLost means the claim is no longer held by its owner: the lease
	// expired and another replica took the slot over, or the slot is done.
	ErrClaimLost = errors.New("slot claim lost")
)

// Store keeps the subscriptions the core creates, lists and removes when
// people subscribe from chat. bot/store implements it on SQLite and
// PostgreSQL, bottest in memory; the scheduler's view of the same store
// is SlotStore.
type Store interface {
	// SaveSubscription creates s or replaces the definition of the
	// subscription with s.ID: platform, channel, schedule, timezone, topics,
	// include, when-empty, source and creator. An existing subscription keeps
	// its CreatedAt and its state (pause, failures, last delivery, last
	// error); a new one starts unpaused with no history.
	SaveSubscription(ctx context.Context, s Subscription) error
	// DeleteSubscription removes a subscription with its slots and delivery
	// history. It returns ErrNotFound if there is none.
	DeleteSubscription(ctx context.Context, id string) error
	// Subscription returns one subscription or ErrNotFound.
	Subscription(ctx context.Context, id string) (Subscription, error)
	// Subscriptions returns all subscriptions sorted by ID.
	Subscriptions(ctx context.Context) ([]Subscription, error)
}

// SlotStore is what the digest scheduler needs of the store: the
// subscriptions to run, and the per-slot claims and deliveries that let any
// number of replicas post each scheduled slot exactly once.
//
// Every method that decides on leases takes the current time as now, so
// schedulers and tests control the clock. Times are returned in UTC and are
// kept to the microsecond.
type SlotStore interface {
	// Subscriptions returns all subscriptions sorted by ID.
	Subscriptions(ctx context.Context) ([]Subscription, error)
	// SetPaused pauses (with a reason) or resumes a subscription. Resuming
	// clears the reason and the consecutive failure count. It returns
	// ErrNotFound if there is no such subscription.
	SetPaused(ctx context.Context, id string, paused bool, reason string) error

	// ClaimSlot tries to claim the slot of subscription sub for owner until
	// now+lease. It returns the claim and true when owner won it: the slot
	// was never claimed, or its previous claim expired (at or before now)
	// unfinished, in which case Claim.Takeover is true. It returns false when
	// the slot is done or another unexpired claim holds it — including one
	// by the same owner. Of any number of concurrent claimers of a slot,
	// exactly one wins. It returns ErrNotFound if sub does not exist.
	ClaimSlot(ctx context.Context, sub string, slot time.Time, owner string, lease time.Duration, now time.Time) (Claim, bool, error)
	// ExtendClaim moves the lease of a held claim to now+lease, for posts
	// that take long. It returns ErrClaimLost if c.Owner no longer holds it.
	ExtendClaim(ctx context.Context, c Claim, lease time.Duration, now time.Time) (Claim, error)
	// CompleteSlot atomically marks the claimed slot done, records d in the
	// delivery history and updates the subscription's state: a delivered
	// outcome sets LastDelivered (if later), resets Failures and clears
	// LastError; a failure sets LastError and, if permanent, increments
	// Failures; empty and skipped slots change neither. It returns the
	// updated subscription, so the caller can pause it after too many
	// failures. It returns ErrClaimLost, changing nothing, if another owner
	// took the slot over or it is already done; a claim whose lease expired
	// without a takeover is still completed, as nobody else can have posted.
	CompleteSlot(ctx context.Context, c Claim, d Delivery) (Subscription, error)
	// ExpiredClaims returns the claims whose lease ended at or before now
	// without the slot being completed: their owners died mid-post. The
	// scheduler takes them over with ClaimSlot. Oldest slot first.
	ExpiredClaims(ctx context.Context, now time.Time) ([]Claim, error)
	// LastSlots returns, for every subscription with a slot ever claimed
	// or done, the latest such slot, in one read, so that a scheduler pass
	// over all subscriptions (and one catching up after downtime) does not
	// ask once per subscription.
	LastSlots(ctx context.Context) (map[string]time.Time, error)
}
