// Package publish is the newsroom's way in that is not the filesystem: an
// HTTP API through which an editor's CI job or a CMS publishes, replaces and
// withdraws briefings, and the feed that brings what was published into
// every replica's library.
//
//	PUT    /api/v1/briefings/{name}   publish a file (.md or .txt, by name)
//	DELETE /api/v1/briefings/{name}   withdraw it
//	GET    /api/v1/briefings          names, topics, dates and content hashes
//	GET    /api/v1/briefings/{name}   the file as published
//
// Callers authenticate with a bearer token named in configuration; only the
// tokens' SHA-256 hashes are kept, compared in constant time, and the name
// of the token that published is recorded with each version. A file is
// checked exactly as "briefbot check" checks it, and nothing is stored when
// it has errors.
//
// Published briefings live in the store (bot.PublishedStore), shared by
// every replica. A Feed follows the store's changes: at once on PostgreSQL,
// which notifies each commit, and by a periodic re-read, which is the whole
// mechanism on SQLite and the safety net on PostgreSQL. It lays the
// published briefings over the folder's library: a published briefing
// replaces the folder's file of the same name.
package publish
