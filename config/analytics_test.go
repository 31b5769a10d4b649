package config

import (
	"strings"
	"testing"
	"time"
)

func TestAnalyticsKeys(t *testing.T) {
	dir := isolate(t)
	writeFile(t, dir, FileName, "analytics:\n  enabled: false\n  retention: 168h\n")
	got, err := Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Analytics.Enabled || got.Analytics.Retention != 7*24*time.Hour {
		t.Errorf("analytics = %+v, want off, kept 7 days", got.Analytics)
	}
	t.Setenv("BRIEFBOT_ANALYTICS_ENABLED", "true")
	t.Setenv("BRIEFBOT_ANALYTICS_RETENTION", "720h")
	got, err = Load(Options{SearchPaths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Analytics.Enabled || got.Analytics.Retention != 30*24*time.Hour {
		t.Errorf("analytics from the environment = %+v, want on, kept 30 days", got.Analytics)
	}
}

func TestAnalyticsRetentionMustBePositive(t *testing.T) {
	c := defaults()
	c.Analytics.Retention = 0
	err := c.ValidateAnalytics()
	if err == nil || !strings.Contains(err.Error(), "analytics.retention (BRIEFBOT_ANALYTICS_RETENTION)") {
		t.Errorf("ValidateAnalytics = %v, want an error naming analytics.retention and its variable", err)
	}
	if err := defaults().ValidateAnalytics(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
