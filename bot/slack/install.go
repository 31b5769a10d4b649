package slack

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
)

// BotScopes are the bot token scopes the adapter uses, and so the ones
// "Add to Slack" asks for; manifest.yaml asks for the same (a test checks).
var BotScopes = []string{
	"commands",          // the /brief slash command
	"chat:write",        // answers to mentions, DMs and buttons; digests
	"chat:write.public", // digests in public channels the bot was not invited to
	"app_mentions:read", // "@briefbot kazakhstan risks"
	"im:history",        // direct messages to the bot (message.im)
	"channels:history",  // finding a digest's earlier posts after a crash (public channels)
	"groups:history",    // the same in private channels
	"users:read",        // whether the user asking to subscribe is a workspace admin
}

// authorizeURL is Slack's consent page; oauth.v2.access goes to the Web
// API base (Config.APIURL), so tests can fake it.
const authorizeURL = "https://slack.com/oauth/v2/authorize"

// stateCookie holds the install's state in the browser that started it,
// so a state (and the code Slack sends with it) only completes the
// install in that browser: a link forged for someone else fails.
const stateCookie = "briefbot_slack_install"

// installRoutes mounts the "Add to Slack" flow when OAuth is configured.
func (a *Adapter) installRoutes(mux *http.ServeMux) {
	if a.cfg.ClientID == "" {
		return
	}
	mux.HandleFunc("GET /slack/install", a.serveInstall)
	mux.HandleFunc("GET /slack/oauth/callback", a.serveOAuthCallback)
}

// serveInstall sends the browser to Slack's consent page with a signed,
// expiring state, kept in a cookie too.
func (a *Adapter) serveInstall(w http.ResponseWriter, r *http.Request) {
	state := a.keys.newState(a.now())
	http.SetCookie(w, &http.Cookie{
		Name: stateCookie, Value: state, Path: "/slack/oauth/",
		MaxAge: int(stateTTL / time.Second), HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	q := url.Values{
		"client_id": {a.cfg.ClientID},
		"scope":     {strings.Join(BotScopes, ",")},
		"state":     {state},
	}
	http.Redirect(w, r, authorizeURL+"?"+q.Encode(), http.StatusFound)
}

// serveOAuthCallback finishes an install: it checks the state, exchanges
// the code for the workspace's bot token and keeps the token, encrypted.
func (a *Adapter) serveOAuthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		// access_denied: the user pressed Cancel.
		a.installPage(w, http.StatusOK, "Installation cancelled", "briefbot was not installed ("+e+").")
		return
	}
	state := q.Get("state")
	err := a.keys.checkState(state, a.now())
	if c, cerr := r.Cookie(stateCookie); err == nil && (cerr != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1) {
		err = errors.New("state was not issued to this browser: start from /slack/install")
	}
	if err != nil || q.Get("code") == "" {
		if err == nil {
			err = errors.New("no code")
		}
		a.log.Warn("slack install refused", "reason", err.Error())
		a.installPage(w, http.StatusBadRequest, "Installation failed", "This link is not valid any more ("+err.Error()+"). Start again from the Add to Slack button.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Path: "/slack/oauth/", MaxAge: -1, HttpOnly: true, Secure: true})
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	ws, err := a.install(ctx, q.Get("code"))
	if err != nil {
		a.log.Error("slack install failed", "err", err)
		a.installPage(w, http.StatusBadGateway, "Installation failed", "Slack did not confirm the installation. Please try again.")
		return
	}
	a.log.Info("slack workspace installed", "enterprise", ws.Enterprise, "team", ws.Team, "installed_by", ws.InstalledBy)
	a.installPage(w, http.StatusOK, "briefbot is installed", "briefbot is installed in "+ws.Name+". Try "+a.cfg.Command+" help in any channel.")
}

// install exchanges code with slack-go's OAuth helper and stores the token.
func (a *Adapter) install(ctx context.Context, code string) (bot.Workspace, error) {
	var opts []slackapi.OAuthOption
	if a.cfg.APIURL != "" {
		opts = append(opts, slackapi.OAuthOptionAPIURL(a.cfg.APIURL))
	}
	resp, err := slackapi.GetOAuthV2ResponseContext(ctx, a.httpClient, a.cfg.ClientID, a.cfg.ClientSecret, code, "", opts...)
	if err != nil {
		return bot.Workspace{}, fmt.Errorf("exchange slack oauth code: %w", err)
	}
	if !strings.HasPrefix(resp.AccessToken, "xoxb-") {
		return bot.Workspace{}, fmt.Errorf("exchange slack oauth code: got a %q token, not a bot token", resp.TokenType)
	}
	ws := bot.Workspace{
		Platform:    Platform,
		Enterprise:  resp.Enterprise.ID,
		Team:        resp.Team.ID,
		Name:        resp.Team.Name,
		BotUserID:   resp.BotUserID,
		Scopes:      resp.Scope,
		InstalledBy: resp.AuthedUser.ID,
		InstalledAt: a.now(),
	}
	if resp.IsEnterpriseInstall {
		// One token for every workspace of the organisation.
		ws.Team, ws.Name = "", resp.Enterprise.Name
	}
	if ws.Team == "" && ws.Enterprise == "" {
		return bot.Workspace{}, errors.New("exchange slack oauth code: the answer names no team or enterprise")
	}
	ws.SealedToken = a.keys.seal(resp.AccessToken, ws.Enterprise, ws.Team)
	if err := a.installs.SaveWorkspace(ctx, ws); err != nil {
		return bot.Workspace{}, err
	}
	return ws, nil
}

// uninstall forgets a workspace's token when the app is uninstalled or
// its bot token revoked.
func (a *Adapter) uninstall(ctx context.Context, ev innerEvent) {
	if a.installs == nil {
		return
	}
	keys := []workspaceKey{ev.workspace}
	if ev.orgInstall {
		keys = append(keys, workspaceKey{ev.workspace.enterprise, ""})
	}
	for _, k := range keys {
		if k.team == "" && k.enterprise == "" {
			continue
		}
		gone, err := a.installs.DeleteWorkspace(ctx, Platform, k.enterprise, k.team)
		switch {
		case err != nil:
			a.log.Error("forget slack workspace", "enterprise", k.enterprise, "team", k.team, "event", ev.Type, "err", err)
		case gone:
			a.log.Info("slack workspace uninstalled", "enterprise", k.enterprise, "team", k.team, "event", ev.Type)
		}
	}
}

var installPageTmpl = template.Must(template.New("install").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 4em auto"><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>
`))

func (a *Adapter) installPage(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = installPageTmpl.Execute(w, struct{ Title, Text string }{title, text})
}
