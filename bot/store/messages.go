package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/bot"
)

var _ bot.CorrectionStore = (*DB)(nil)

// storedVersion is how a briefing version is kept in digest_messages.
type storedVersion struct {
	Topic string `json:"topic"`
	Hash  string `json:"hash"`
}

func encodeVersions(vs []bot.BriefingVersion) (string, error) {
	out := make([]storedVersion, len(vs))
	for i, v := range vs {
		out[i] = storedVersion{Topic: cleanText(v.Topic), Hash: cleanText(v.Hash)}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func encodeIDs(ids []string) (string, error) {
	clean := make([]string, len(ids))
	for i, id := range ids {
		clean[i] = cleanText(id)
	}
	b, err := json.Marshal(clean)
	return string(b), err
}

// RecordPostedDigest records where a posted digest's messages are and what
// it shows, replacing an earlier record of its subscription and slot.
func (db *DB) RecordPostedDigest(ctx context.Context, p bot.PostedDigest) error {
	where := fmt.Sprintf("record posted digest %s slot %s", p.Subscription, p.Slot.UTC().Format(time.RFC3339))
	switch {
	case p.Slot.IsZero():
		return fmt.Errorf("%s: zero slot", where)
	case p.PostedAt.IsZero():
		return fmt.Errorf("%s: no posting time", where)
	case len(p.MessageIDs) == 0:
		return fmt.Errorf("%s: no messages", where)
	}
	ids, err := encodeIDs(p.MessageIDs)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	vs, err := encodeVersions(p.Versions)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	_, err = db.sql.ExecContext(ctx, `INSERT INTO digest_messages
		(subscription, slot, platform, channel, message_ids, versions, since, posted_at, corrected_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (subscription, slot) DO UPDATE SET
			platform = excluded.platform, channel = excluded.channel, message_ids = excluded.message_ids,
			versions = excluded.versions, since = excluded.since, posted_at = excluded.posted_at,
			corrected_at = excluded.corrected_at`,
		p.Subscription, db.dialect.timeArg(p.Slot), cleanText(string(p.Platform)), cleanText(p.Channel), ids, vs,
		db.dialect.timeArg(p.Since), db.dialect.timeArg(p.PostedAt), db.dialect.timeArg(p.CorrectedAt))
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

// PostedDigests returns the digests posted at or after since, oldest first.
func (db *DB) PostedDigests(ctx context.Context, since time.Time) ([]bot.PostedDigest, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT subscription, slot, platform, channel, message_ids, versions,
			since, posted_at, corrected_at
		FROM digest_messages WHERE posted_at >= $1 ORDER BY posted_at, subscription, slot`, db.dialect.timeArg(since))
	if err != nil {
		return nil, fmt.Errorf("read posted digests: %w", err)
	}
	defer rows.Close()
	var out []bot.PostedDigest
	for rows.Next() {
		var (
			p             bot.PostedDigest
			platform      string
			ids, versions string
		)
		if err := rows.Scan(&p.Subscription, timeScan{&p.Slot}, &platform, &p.Channel, &ids, &versions,
			timeScan{&p.Since}, timeScan{&p.PostedAt}, timeScan{&p.CorrectedAt}); err != nil {
			return nil, fmt.Errorf("read posted digests: %w", err)
		}
		p.Platform = bot.Platform(platform)
		if err := json.Unmarshal([]byte(ids), &p.MessageIDs); err != nil {
			return nil, fmt.Errorf("read posted digest %s: decode message IDs: %w", p.Subscription, err)
		}
		var vs []storedVersion
		if err := json.Unmarshal([]byte(versions), &vs); err != nil {
			return nil, fmt.Errorf("read posted digest %s: decode versions: %w", p.Subscription, err)
		}
		for _, v := range vs {
			p.Versions = append(p.Versions, bot.BriefingVersion{Topic: v.Topic, Hash: v.Hash})
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read posted digests: %w", err)
	}
	return out, nil
}

// ClaimCorrection claims one correction of a posted digest, as ClaimSlot
// claims a slot: one statement inserts the claim or takes over an expired
// one, and concurrent claimers serialise on the primary key.
func (db *DB) ClaimCorrection(ctx context.Context, sub string, slot time.Time, fingerprint, owner string, lease time.Duration, now time.Time) (bool, error) {
	where := fmt.Sprintf("claim correction of %s slot %s", sub, slot.UTC().Format(time.RFC3339))
	switch {
	case owner == "":
		return false, fmt.Errorf("%s: no owner", where)
	case lease <= 0:
		return false, fmt.Errorf("%s: lease %v is not positive", where, lease)
	}
	res, err := db.sql.ExecContext(ctx, `INSERT INTO digest_corrections (subscription, slot, fingerprint, status, owner, expires)
		VALUES ($1, $2, $3, 'claimed', $4, $5)
		ON CONFLICT (subscription, slot, fingerprint) DO UPDATE SET
			owner = excluded.owner, expires = excluded.expires
		WHERE digest_corrections.status = 'claimed' AND digest_corrections.expires <= $6`,
		sub, db.dialect.timeArg(slot), fingerprint, owner, db.dialect.timeArg(now.Add(lease)), db.dialect.timeArg(now))
	if err != nil {
		return false, fmt.Errorf("%s: %w", where, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("%s: %w", where, err)
	}
	return n == 1, nil
}

// CompleteCorrection marks owner's claim done and records the digest as
// corrected, in one transaction.
func (db *DB) CompleteCorrection(ctx context.Context, fingerprint, owner string, p bot.PostedDigest) (err error) {
	where := fmt.Sprintf("complete correction of %s slot %s", p.Subscription, p.Slot.UTC().Format(time.RFC3339))
	ids, err := encodeIDs(p.MessageIDs)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	vs, err := encodeVersions(p.Versions)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", where, err)
	}
	defer rollback(tx, &err)
	res, err := tx.ExecContext(ctx, `UPDATE digest_corrections SET status = 'done'
		WHERE subscription = $1 AND slot = $2 AND fingerprint = $3 AND owner = $4 AND status = 'claimed'`,
		p.Subscription, db.dialect.timeArg(p.Slot), fingerprint, owner)
	if err == nil {
		err = lost(res)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if _, err = tx.ExecContext(ctx, `UPDATE digest_messages SET message_ids = $3, versions = $4, corrected_at = $5
		WHERE subscription = $1 AND slot = $2`,
		p.Subscription, db.dialect.timeArg(p.Slot), ids, vs, db.dialect.timeArg(p.CorrectedAt)); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", where, err)
	}
	return nil
}

// ForgetPostedDigests removes the digests posted before before; their
// corrections' claims go with them.
func (db *DB) ForgetPostedDigests(ctx context.Context, before time.Time) (int, error) {
	res, err := db.sql.ExecContext(ctx, "DELETE FROM digest_messages WHERE posted_at < $1", db.dialect.timeArg(before))
	if err != nil {
		return 0, fmt.Errorf("forget digests posted before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("forget digests posted before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return int(n), nil
}
