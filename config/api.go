package config

import "log/slog"

// API configures the publishing API that serve offers under
// /api/v1/briefings.
type API struct {
	// Tokens may call the API; with none it is off. From the environment,
	// BRIEFBOT_API_TOKENS holds a YAML or JSON list, as BRIEFBOT_DIGESTS does.
	Tokens []APIToken `mapstructure:"tokens" yaml:"tokens,omitempty"`
}

// APIToken is one bearer token of the publishing API. Its name is recorded
// with every briefing version it publishes.
type APIToken struct {
	Name  string `mapstructure:"name" yaml:"name"`
	Token Secret `mapstructure:"token" yaml:"token"`
}

// Secret is a configured secret that does not show itself: YAML, fmt and
// slog all print a marker saying only whether it is set. string(s) is the
// value.
type Secret string

// String returns the marker, so fmt cannot leak the secret.
func (s Secret) String() string { return redactToken(string(s), "") }

// MarshalYAML writes the marker, so "briefbot config" cannot leak it.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// LogValue logs the marker.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
