package redis

import "time"

// IndexSlack is indexSlack, for the tests of the user's index.
const IndexSlack = indexSlack

// UsesScripts reports whether s keeps rate windows and users' indexes with
// Lua scripts, as it does on a server older than Redis 7.0.
func UsesScripts(s *Store) bool { return s.scripts }

// ForceScripts makes s use the Lua scripts, as on a server older than
// Redis 7.0.
func ForceScripts(s *Store) { s.scripts = true }

// SetNow sets the clock s scores and prunes users' indexes by.
func SetNow(s *Store, now func() time.Time) { s.now = now }
