package config

import "time"

// Analytics configures what is counted of readers' questions and votes:
// questions no briefing answered (or answered by a guess), by their
// normalised words, and Helpful / Not helpful votes, by topic and section.
// Nothing counted names a user or a channel.
type Analytics struct {
	// Enabled turns counting on (the default); false records nothing.
	Enabled bool `mapstructure:"enabled" yaml:"enabled"`
	// Retention is how long counts are kept; older ones are removed.
	Retention time.Duration `mapstructure:"retention" yaml:"retention"`
}

// ValidateAnalytics checks the analytics keys.
func (c Config) ValidateAnalytics() error {
	return positive("analytics.retention", c.Analytics.Retention)
}
