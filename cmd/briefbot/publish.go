package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot/publish"
	"github.com/briefbot/briefbot/briefings"
)

// tokenEnv holds the client's API token when no --token-file is given.
const tokenEnv = "BRIEFBOT_API_TOKEN"

func (m *Main) publishCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "publish [--server URL] [--token-file F] [--prune] PATH...",
		Short: "Publish briefing files or folders to a running server (for editors' CI)",
		Long: `Publish each briefing file, and every briefing of each folder, to the
server's publishing API, named by file name. Folders are checked first as
"briefbot check" does, and nothing is sent when any file has errors.
Files whose content the server already has (by SHA-256) are skipped. With
--prune, briefings published earlier but no longer among PATHs are
withdrawn. One line per file, then a summary on stderr.

The token is read from --token-file, else from ` + tokenEnv + `; it must be one
of the server's api.tokens. The server defaults to the loopback address of
http.addr.

Exit status: 0 all published, 1 some file was refused or the server
failed, 2 usage error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := m.loadConfig(cmd)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			server, _ := f.GetString("server")
			tokenFile, _ := f.GetString("token-file")
			prune, _ := f.GetBool("prune")
			if server == "" {
				u, err := healthURL(cfg.HTTP.Addr)
				if err != nil {
					return usageErr(fmt.Errorf("publish: no --server and %w", err))
				}
				server = strings.TrimSuffix(u, "/healthz")
			}
			token, err := readToken(tokenFile)
			if err != nil {
				return usageErr(err)
			}
			return m.publish(cmd.Context(), server, token, prune, args)
		},
	}
	cmd.Flags().String("server", "", "server `URL` (default: http://127.0.0.1 at http.addr's port)")
	cmd.Flags().String("token-file", "", "read the API token from `file` (default: $"+tokenEnv+")")
	cmd.Flags().Bool("prune", false, "withdraw published briefings that are not among PATHs")
	return cmd
}

// readToken reads the token from file, else from the environment.
func readToken(file string) (string, error) {
	if file == "" {
		if t := strings.TrimSpace(os.Getenv(tokenEnv)); t != "" {
			return t, nil
		}
		return "", fmt.Errorf("publish: no API token: pass --token-file or set %s", tokenEnv)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("publish: --token-file: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("publish: --token-file %s is empty", file)
	}
	return t, nil
}

// localFile is one file to publish.
type localFile struct {
	name, path string
}

// publishTargets lists the files of paths by name. A folder is loaded as
// the server would load it, so the same files count and the same problems
// stop it; problems are printed, and any error stops everything.
func (m *Main) publishTargets(paths []string) ([]localFile, error) {
	var (
		files  []localFile
		failed bool
	)
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, usageErr(fmt.Errorf("publish: %w", err))
		}
		if !info.IsDir() {
			files = append(files, localFile{name: filepath.Base(p), path: p})
			continue
		}
		lib, problems, err := briefings.Load(p)
		if err != nil {
			return nil, usageErr(fmt.Errorf("publish: %w", err))
		}
		// Warnings come back from the server, file by file; errors stop
		// everything, and are printed with the warnings as check does.
		for _, pr := range problems {
			failed = failed || !pr.Warning
		}
		if failed {
			for _, pr := range problems {
				fmt.Fprintln(m.Stdout, pr.Error())
			}
		}
		for _, t := range lib.Topics() {
			for _, b := range lib.Versions(t.Key()) {
				files = append(files, localFile{name: filepath.Base(b.Path), path: b.Path})
			}
		}
	}
	if failed {
		return nil, &exitError{code: exitFailure, err: errors.New("publish: fix the errors above; nothing was sent")}
	}
	slices.SortFunc(files, func(a, b localFile) int { return strings.Compare(a.name+"\x00"+a.path, b.name+"\x00"+b.path) })
	files = slices.CompactFunc(files, func(a, b localFile) bool { return a.path == b.path })
	var errs []error
	for i, f := range files {
		if err := publish.CheckName(f.name); err != nil {
			errs = append(errs, fmt.Errorf("%s: cannot be published: %w", f.path, err))
		}
		if i > 0 && files[i-1].name == f.name {
			errs = append(errs, fmt.Errorf("%s and %s: both would be published as %s; rename one", files[i-1].path, f.path, f.name))
		}
	}
	if len(errs) > 0 {
		return nil, usageErr(errors.Join(errs...))
	}
	return files, nil
}

// publish sends files to the server and, with prune, withdraws the rest.
func (m *Main) publish(ctx context.Context, server, token string, prune bool, paths []string) error {
	files, err := m.publishTargets(paths)
	if err != nil {
		return err
	}
	if prune && len(files) == 0 {
		return usageErr(errors.New("publish: no briefings found in PATHs; refusing to --prune everything"))
	}
	c := &apiClient{base: strings.TrimSuffix(server, "/") + publish.Prefix, token: token, http: m.HTTPClient}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	list, err := c.list(ctx)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	remote := make(map[string]string, len(list.Briefings))
	for _, e := range list.Briefings {
		remote[e.Name] = e.Hash
	}

	counts := map[string]int{}
	note := func(status, name, detail string) {
		counts[status]++
		if detail != "" {
			detail = "  " + detail
		}
		fmt.Fprintf(m.Stdout, "%-10s %s%s\n", status, name, detail)
	}
	local := map[string]bool{}
	for _, f := range files {
		local[f.name] = true
		body, err := os.ReadFile(f.path)
		if err != nil {
			note("failed", f.name, err.Error())
			continue
		}
		if h, ok := remote[f.name]; ok && h == publish.ContentHash(body) {
			note("unchanged", f.name, "")
			continue
		}
		status, detail, err := c.put(ctx, f.name, body)
		if err != nil {
			note("failed", f.name, err.Error())
			continue
		}
		note(status, f.name, detail)
	}
	if prune {
		for _, e := range list.Briefings {
			if local[e.Name] {
				continue
			}
			if err := c.delete(ctx, e.Name); err != nil {
				note("failed", e.Name, err.Error())
				continue
			}
			note("withdrawn", e.Name, "")
		}
	}
	var parts []string
	for _, s := range []string{"published", "updated", "unchanged", "withdrawn", "failed"} {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	fmt.Fprintf(m.Stderr, "publish to %s: %s\n", server, strings.Join(parts, ", "))
	if counts["failed"] > 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}

// apiClient calls the publishing API.
type apiClient struct {
	base  string // …/api/v1/briefings
	token string
	http  *http.Client
}

func (c *apiClient) do(ctx context.Context, method, name string, body []byte) (*http.Response, []byte, error) {
	u := c.base
	if name != "" {
		u += "/" + url.PathEscape(name)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, nil, fmt.Errorf("%s %s: the server refused the token (401): it must be one of the server's api.tokens", method, u)
	}
	return resp, b, nil
}

func (c *apiClient) list(ctx context.Context) (publish.List, error) {
	var l publish.List
	resp, b, err := c.do(ctx, http.MethodGet, "", nil)
	if err != nil {
		return l, fmt.Errorf("publish: list published briefings: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return l, fmt.Errorf("publish: list published briefings: %s: %s", resp.Status, firstLine(b))
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("publish: list published briefings: %w", err)
	}
	return l, nil
}

// put publishes one file and returns its status ("published" for a new
// name, "updated" for new content) with the server's warnings.
func (c *apiClient) put(ctx context.Context, name string, body []byte) (status, detail string, err error) {
	resp, b, err := c.do(ctx, http.MethodPut, name, body)
	if err != nil {
		return "", "", err
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated:
		var r publish.Result
		if err := json.Unmarshal(b, &r); err != nil {
			return "", "", fmt.Errorf("reading the answer: %w", err)
		}
		status = "updated"
		switch {
		case resp.StatusCode == http.StatusCreated:
			status = "published"
		case r.Status == "unchanged":
			status = "unchanged"
		}
		detail = r.Topic
		if len(r.Warnings) > 0 {
			detail += "\n  " + strings.Join(r.Warnings, "\n  ")
		}
		return status, detail, nil
	case http.StatusUnprocessableEntity:
		return "", "", fmt.Errorf("refused by the server's check:\n  %s", strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", "\n  "))
	default:
		return "", "", fmt.Errorf("%s: %s", resp.Status, firstLine(b))
	}
}

func (c *apiClient) delete(ctx context.Context, name string) error {
	resp, b, err := c.do(ctx, http.MethodDelete, name, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotFound {
		return fmt.Errorf("%s: %s", resp.Status, firstLine(b))
	}
	return nil
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}
