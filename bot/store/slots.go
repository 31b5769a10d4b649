package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// ClaimSlot claims one slot for owner until now+lease, taking over a claim
// whose lease ended at or before now.
func (db *DB) ClaimSlot(ctx context.Context, sub string, slot time.Time, owner string, lease time.Duration, now time.Time) (bot.Claim, bool, error) {
	switch {
	case owner == "":
		return bot.Claim{}, false, fmt.Errorf("claim %s slot %s: no owner", sub, slot.UTC().Format(time.RFC3339))
	case lease <= 0:
		return bot.Claim{}, false, fmt.Errorf("claim %s slot %s: lease %v is not positive", sub, slot.UTC().Format(time.RFC3339), lease)
	case slot.IsZero():
		return bot.Claim{}, false, fmt.Errorf("claim %s: zero slot", sub)
	}
	c := bot.Claim{Subscription: sub, Slot: normTime(slot), Owner: owner, Expires: normTime(now.Add(lease))}
	fail := func(err error) (bot.Claim, bool, error) {
		return bot.Claim{}, false, fmt.Errorf("claim %s slot %s: %w", sub, c.Slot.Format(time.RFC3339), err)
	}

	// Checked first so that a missing subscription is ErrNotFound rather
	// than a foreign key violation worded differently by each backend.
	var exists int
	err := db.sql.QueryRowContext(ctx, "SELECT 1 FROM subscriptions WHERE id = $1", sub).Scan(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return fail(bot.ErrNotFound)
	} else if err != nil {
		return fail(err)
	}

	// The one statement that decides who posts. A new slot is inserted; an
	// existing one is taken over only while it is still claimed and its lease
	// has run out. Concurrent claimers serialise on the primary key, and the
	// losers' WHERE sees the winner's row, so they get no row back.
	// In SET, "slots.owner" is the old row's owner.
	var attempts int
	err = db.sql.QueryRowContext(ctx, `INSERT INTO slots (subscription, slot, status, owner, expires, attempts, previous_owner)
		VALUES ($1, $2, 'claimed', $3, $4, 1, '')
		ON CONFLICT (subscription, slot) DO UPDATE SET
			previous_owner = slots.owner, owner = excluded.owner,
			expires = excluded.expires, attempts = slots.attempts + 1
		WHERE slots.status = 'claimed' AND slots.expires <= $5
		RETURNING attempts, previous_owner`,
		sub, db.dialect.timeArg(c.Slot), owner, db.dialect.timeArg(c.Expires), db.dialect.timeArg(now),
	).Scan(&attempts, &c.PreviousOwner)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.Claim{}, false, nil
	} else if err != nil {
		return fail(err)
	}
	c.Takeover = attempts > 1
	return c, true, nil
}

// ExtendClaim moves a held claim's lease to now+lease.
func (db *DB) ExtendClaim(ctx context.Context, c bot.Claim, lease time.Duration, now time.Time) (bot.Claim, error) {
	if lease <= 0 {
		return bot.Claim{}, fmt.Errorf("extend claim %s slot %s: lease %v is not positive", c.Subscription, c.Slot.UTC().Format(time.RFC3339), lease)
	}
	expires := normTime(now.Add(lease))
	res, err := db.sql.ExecContext(ctx, `UPDATE slots SET expires = $4
		WHERE subscription = $1 AND slot = $2 AND owner = $3 AND status = 'claimed'`,
		c.Subscription, db.dialect.timeArg(c.Slot), c.Owner, db.dialect.timeArg(expires))
	if err == nil {
		err = lost(res)
	}
	if err != nil {
		return bot.Claim{}, fmt.Errorf("extend claim %s slot %s: %w", c.Subscription, c.Slot.UTC().Format(time.RFC3339), err)
	}
	c.Expires = expires
	return c, nil
}

// lost returns bot.ErrClaimLost if res changed no row.
func lost(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return bot.ErrClaimLost
	}
	return nil
}

// CompleteSlot marks a held claim done, records the delivery and updates the
// subscription's state, all in one transaction.
func (db *DB) CompleteSlot(ctx context.Context, c bot.Claim, d bot.Delivery) (_ bot.Subscription, err error) {
	slot := normTime(c.Slot)
	fail := func(err error) (bot.Subscription, error) {
		return bot.Subscription{}, fmt.Errorf("complete %s slot %s: %w", c.Subscription, slot.Format(time.RFC3339), err)
	}
	switch {
	case !d.Outcome.Valid():
		return fail(fmt.Errorf("unknown outcome %q", d.Outcome))
	case d.At.IsZero():
		return fail(errors.New("delivery has no time"))
	case d.Subscription != "" && d.Subscription != c.Subscription:
		return fail(fmt.Errorf("delivery is for subscription %s", d.Subscription))
	case !d.Slot.IsZero() && !normTime(d.Slot).Equal(slot):
		return fail(fmt.Errorf("delivery is for slot %s", d.Slot.UTC().Format(time.RFC3339)))
	}
	if d.Owner == "" {
		d.Owner = c.Owner
	}
	// A delivery is recorded whatever its error text holds: failing here
	// would leave the slot claimed, to be taken over and posted again.
	d.Error, d.Owner = cleanText(d.Error), cleanText(d.Owner)
	ids := make([]string, len(d.MessageIDs))
	for i, id := range d.MessageIDs {
		ids[i] = cleanText(id)
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return fail(fmt.Errorf("encode message IDs: %w", err))
	}

	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fail(fmt.Errorf("begin: %w", err))
	}
	defer rollback(tx, &err)

	slotArg, atArg := db.dialect.timeArg(slot), db.dialect.timeArg(d.At)
	res, err := tx.ExecContext(ctx, `UPDATE slots SET status = 'done'
		WHERE subscription = $1 AND slot = $2 AND owner = $3 AND status = 'claimed'`,
		c.Subscription, slotArg, c.Owner)
	if err == nil {
		err = lost(res)
	}
	if err != nil {
		return fail(err)
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO deliveries (subscription, slot, outcome, error, permanent, message_ids, owner, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.Subscription, slotArg, string(d.Outcome), d.Error, d.Permanent, string(idsJSON), d.Owner, atArg); err != nil {
		return fail(fmt.Errorf("record delivery: %w", err))
	}
	switch {
	case d.Outcome.Delivered():
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET failures = 0, last_error = '', last_error_at = NULL,
			last_delivered = CASE WHEN last_delivered IS NULL OR last_delivered < $2 THEN $2 ELSE last_delivered END
			WHERE id = $1`, c.Subscription, slotArg)
	case d.Outcome == bot.OutcomeFailed:
		inc := 0
		if d.Permanent {
			inc = 1
		}
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET last_error = $2, last_error_at = $3, failures = failures + $4
			WHERE id = $1`, c.Subscription, d.Error, atArg, inc)
	}
	if err != nil {
		return fail(fmt.Errorf("update subscription: %w", err))
	}
	s, err := getSubscription(ctx, tx, c.Subscription)
	if err != nil {
		return fail(err)
	}
	if err = tx.Commit(); err != nil {
		return fail(fmt.Errorf("commit: %w", err))
	}
	return s, nil
}

// LastSlots returns the latest slot ever claimed or done per subscription.
func (db *DB) LastSlots(ctx context.Context) (map[string]time.Time, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT subscription, MAX(slot) FROM slots GROUP BY subscription")
	if err != nil {
		return nil, fmt.Errorf("last slots: %w", err)
	}
	defer rows.Close()
	out := make(map[string]time.Time)
	for rows.Next() {
		var (
			sub string
			t   time.Time
		)
		if err := rows.Scan(&sub, timeScan{&t}); err != nil {
			return nil, fmt.Errorf("last slots: %w", err)
		}
		out[sub] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("last slots: %w", err)
	}
	return out, nil
}

// Deliveries returns up to limit deliveries of sub, newest slot first.
func (db *DB) Deliveries(ctx context.Context, sub string, limit int) ([]bot.Delivery, error) {
	q := `SELECT subscription, slot, outcome, error, permanent, message_ids, owner, at
		FROM deliveries WHERE subscription = $1 ORDER BY slot DESC, id DESC`
	args := []any{sub}
	if limit > 0 {
		q += " LIMIT $2"
		args = append(args, limit)
	}
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("deliveries of %s: %w", sub, err)
	}
	defer rows.Close()
	var ds []bot.Delivery
	for rows.Next() {
		var (
			d       bot.Delivery
			outcome string
			ids     string
		)
		if err := rows.Scan(&d.Subscription, timeScan{&d.Slot}, &outcome, &d.Error, &d.Permanent, &ids, &d.Owner, timeScan{&d.At}); err != nil {
			return nil, fmt.Errorf("deliveries of %s: %w", sub, err)
		}
		d.Outcome = bot.SlotOutcome(outcome)
		if err := json.Unmarshal([]byte(ids), &d.MessageIDs); err != nil {
			return nil, fmt.Errorf("deliveries of %s: decode message IDs: %w", sub, err)
		}
		if len(d.MessageIDs) == 0 {
			d.MessageIDs = nil
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deliveries of %s: %w", sub, err)
	}
	return ds, nil
}

// ExpiredClaims returns the unfinished claims whose lease ended at or
// before now, oldest slot first.
func (db *DB) ExpiredClaims(ctx context.Context, now time.Time) ([]bot.Claim, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT subscription, slot, owner, expires FROM slots
		WHERE status = 'claimed' AND expires <= $1 ORDER BY slot, subscription`, db.dialect.timeArg(normTime(now)))
	if err != nil {
		return nil, fmt.Errorf("expired claims: %w", err)
	}
	defer rows.Close()
	var out []bot.Claim
	for rows.Next() {
		var c bot.Claim
		if err := rows.Scan(&c.Subscription, timeScan{&c.Slot}, &c.Owner, timeScan{&c.Expires}); err != nil {
			return nil, fmt.Errorf("expired claims: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expired claims: %w", err)
	}
	return out, nil
}
