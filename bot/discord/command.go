package discord

import "strconv"

// command is an application command as registered with Discord.
type command struct {
	Name              string            `json:"name"`
	NameLocalizations map[string]string `json:"name_localizations,omitempty"`
	Type              int               `json:"type"`
	Description       string            `json:"description"`
	// DescriptionLocalizations are keyed by Discord locale ("de", "es-ES").
	DescriptionLocalizations map[string]string `json:"description_localizations,omitempty"`
	Options                  []commandOption   `json:"options"`
	// DefaultMemberPermissions is the permission bit set a member needs by
	// default, as a decimal string; nil lets everyone use the command.
	// Server admins override it per role and channel in Server Settings →
	// Integrations.
	DefaultMemberPermissions *string `json:"default_member_permissions"`
	// Contexts are where the command shows: contextGuild, contextBotDM,
	// contextPrivateChannel.
	Contexts []int `json:"contexts"`
	// IntegrationTypes are the ways of installing the app that offer it:
	// installGuild, installUser.
	IntegrationTypes []int `json:"integration_types"`
}

type commandOption struct {
	Type                     int               `json:"type"`
	Name                     string            `json:"name"`
	Description              string            `json:"description"`
	DescriptionLocalizations map[string]string `json:"description_localizations,omitempty"`
	Required                 bool              `json:"required"`
	Autocomplete             bool              `json:"autocomplete"`
}

// Interaction context types and application integration types.
const (
	contextGuild          = 0 // a server channel
	contextBotDM          = 1 // a DM with the bot
	contextPrivateChannel = 2 // group DMs and DMs between other users (user installs)
	installGuild          = 0 // installed to a server
	installUser           = 1 // installed to a user, usable everywhere they are
)

// commandName is the command anyone can ask with, everywhere.
const commandName = "brief"

// manageCommandName is the command for digest subscriptions. It is a
// command of its own because Discord's permissions are per command: with
// default_member_permissions set to Manage Channels, only moderators see
// it, and server admins can hand it to other roles or take it away in
// Server Settings → Integrations without touching /brief.
const manageCommandName = "brief-manage"

// commandLocales are the names and descriptions of /brief in other
// languages, for members whose Discord is set to them. The query grammar
// stays English: the section words ("risks") are the briefings' own.
var commandLocales = map[string]struct{ name, description, query string }{
	"de": {"briefing", "Ein Nachrichten-Briefing lesen, z. B. /briefing kazakhstan risks",
		"Ein Thema, Thema und Abschnitt, list, search <Wörter> oder help"},
	"es-ES": {"informe", "Lee un informe de noticias, p. ej. /informe kazakhstan risks",
		"Un tema, un tema y una sección, list, search <palabras> o help"},
}

// commandFor is the name of /brief a member with locale sees, with its slash.
func commandFor(locale string) string {
	if l, ok := commandLocales[locale]; ok {
		return "/" + l.name
	}
	return "/" + commandName
}

// ourCommand reports whether name is one of the adapter's commands.
func ourCommand(name string) bool { return name == commandName || name == manageCommandName }

// commands is everything the adapter registers.
func commands() []command {
	names, descs, queries := map[string]string{}, map[string]string{}, map[string]string{}
	for loc, l := range commandLocales {
		names[loc], descs[loc], queries[loc] = l.name, l.description, l.query
	}
	manage := strconv.Itoa(permissionManageChanls)
	return []command{{
		Name:                     commandName,
		NameLocalizations:        names,
		Type:                     1, // CHAT_INPUT
		Description:              "Read a news briefing, e.g. /brief kazakhstan risks",
		DescriptionLocalizations: descs,
		Options: []commandOption{{
			Type:                     3, // STRING
			Name:                     "query",
			Description:              "A topic, a topic and section, list, search <words> or help",
			DescriptionLocalizations: queries,
			Autocomplete:             true,
		}},
		Contexts:         []int{contextGuild, contextBotDM, contextPrivateChannel},
		IntegrationTypes: []int{installGuild, installUser},
	}, {
		Name:        manageCommandName,
		Type:        1,
		Description: "Manage this channel's daily briefing digests",
		DescriptionLocalizations: map[string]string{
			"de":    "Die täglichen Briefing-Digests dieses Kanals verwalten",
			"es-ES": "Gestiona los resúmenes diarios de este canal",
		},
		Options: []commandOption{{
			Type:        3,
			Name:        "query",
			Description: "subscribe daily 08:00 Europe/Berlin kazakhstan | subscriptions | unsubscribe ID",
			Required:    true,
		}},
		DefaultMemberPermissions: &manage,
		// Digests go to server channels, posted by the bot user: a user
		// install has none, nor has a DM anything to subscribe.
		Contexts:         []int{contextGuild},
		IntegrationTypes: []int{installGuild},
	}}
}

// managing reports whether the interaction is /brief-manage in a server.
// Discord delivers it only to members its permissions allow (Manage
// Channels by default, or whom the server's admins chose under
// Integrations), so those members may manage digests even without
// Manage Channels themselves.
func (in *interaction) managing() bool {
	return in.Data.Name == manageCommandName && in.GuildID != ""
}
