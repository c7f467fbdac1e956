// Package sqlite stands in for github.com/glebarez/go-sqlite (see go.mod's
// replace directive and the README's "SQLite" note).
//
// glebarez/sqlite, the pure-Go gorm dialector q2c uses, imports go-sqlite,
// which registers a database/sql driver named "sqlite". The embedded Temporal
// server imports modernc.org/sqlite, which registers the same name, and
// database/sql panics on the second registration. go-sqlite is a fork of
// modernc.org/sqlite, so this stand-in hands the dialector modernc's driver
// and error type: one SQLite engine in the binary, and the dev stack can run
// Temporal and q2c in one process.
package sqlite

import msqlite "modernc.org/sqlite"

// Error is the driver's error type; the dialector reads its Code to translate
// constraint violations into gorm's errors.
type Error = msqlite.Error
