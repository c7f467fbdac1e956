package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// The audit trail is one hash chain. Each entry holds its place (seq, from
// 1), the hash of the entry before it (the first holds genesisHash) and
// its own hash: SHA-256 over its content and that link. Editing an entry
// changes its hash; removing one leaves a gap in seq and a link to
// nothing; a row written around q2c has no place in the chain. Whoever can
// rewrite the database can also rewrite the whole chain from the edit
// onwards, so the head's hash (VerifyAudit's answer, `q2c audit verify`)
// is worth keeping outside it: a later head that does not descend from it
// is caught by comparing the entry at its seq.

// genesisHash is what the first entry links to.
const genesisHash = "q2c-audit-genesis"

// auditLockKey serialises appends on Postgres, so each entry links to the
// one committed before it (SQLite's write lock does the same there).
const auditLockKey = 7290017

// auditChainMigration is the migration that starts the chain.
const auditChainMigration = 17

// AppendAudit records who changed what, as the next link of the audit
// chain, in the caller's transaction when there is one. The chain's lock
// is held from here to that transaction's commit, so append last.
func (s *Store) AppendAudit(ctx context.Context, e models.AuditEvent) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	// Microseconds: what both engines keep, so the hash reads back the same.
	e.At = s.now().UTC().Truncate(time.Microsecond)
	return s.Tx(ctx, func(tx *Store) error {
		seq, prev, err := tx.auditHead(ctx)
		if err != nil {
			return err
		}
		e.Seq, e.PrevHash = seq+1, prev
		e.Hash = auditHash(e)
		// An entry whose Ref is recorded already (a retried request) adds
		// nothing, and its seq stays free: the chain's lock is still held.
		return tx.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "ref"}}, DoNothing: true}).Create(&e).Error
	})
}

// auditHead takes the audit chain's lock and returns its last entry's seq
// and hash (0 and genesisHash while it is empty).
func (s *Store) auditHead(ctx context.Context) (int64, string, error) {
	if s.dialect == Postgres {
		if err := s.conn(ctx).Exec(`SELECT pg_advisory_xact_lock(?)`, auditLockKey).Error; err != nil {
			return 0, "", err
		}
	}
	var head []struct {
		Seq  int64
		Hash string
	}
	if err := s.conn(ctx).Raw(`SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`).Scan(&head).Error; err != nil {
		return 0, "", err
	}
	if len(head) == 0 {
		return 0, genesisHash, nil
	}
	return head[0].Seq, head[0].Hash, nil
}

// auditHash is an entry's hash: SHA-256 of its fields and its link, as a
// JSON array (one unambiguous encoding), in hex.
func auditHash(e models.AuditEvent) string {
	ref := ""
	if e.Ref != nil {
		ref = *e.Ref
	}
	raw, err := json.Marshal([]any{e.Seq, e.ID, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Entity, e.EntityID, e.Detail, ref, e.PrevHash})
	if err != nil {
		panic(err) // strings and an int64 always encode
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// sealAudit chains the entries written before the audit chain existed, in
// the order they were written (Migrate runs it).
func (s *Store) sealAudit(ctx context.Context) (int, error) {
	n := 0
	err := s.Tx(ctx, func(tx *Store) error {
		seq, prev, err := tx.auditHead(ctx)
		if err != nil {
			return err
		}
		var loose []models.AuditEvent
		if err := tx.conn(ctx).Raw(`SELECT id, at, actor, action, entity, entity_id, detail FROM audit_events WHERE seq IS NULL ORDER BY at, id`).
			Scan(&loose).Error; err != nil {
			return err
		}
		for _, e := range loose {
			e.At = e.At.UTC().Truncate(time.Microsecond)
			seq++
			e.Seq, e.PrevHash = seq, prev
			e.Hash = auditHash(e)
			if err := tx.conn(ctx).Exec(`UPDATE audit_events SET at = ?, seq = ?, prev_hash = ?, hash = ? WHERE id = ?`,
				e.At, e.Seq, e.PrevHash, e.Hash, e.ID).Error; err != nil {
				return err
			}
			prev = e.Hash
		}
		n = len(loose)
		return nil
	})
	return n, err
}

// AuditCheck is what walking the whole audit chain found.
type AuditCheck struct {
	Entries int64  `json:"entries"`
	Head    string `json:"head"` // the last entry's hash: keep it outside the database
	OK      bool   `json:"ok"`
	// Broken names the first entry that does not hold, when one does not.
	Broken *AuditBreak `json:"broken,omitempty"`
}

// AuditBreak is the first place the audit chain does not hold.
type AuditBreak struct {
	Seq    int64  `json:"seq,omitempty"`
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// auditBatch is how many entries VerifyAudit reads at a time.
const auditBatch = 1000

// VerifyAudit walks the audit chain from its first entry and stops at the
// first that does not hold: a hash that does not match its content, a link
// to anything but the entry before, a gap, or a row outside the chain.
func (s *Store) VerifyAudit(ctx context.Context) (AuditCheck, error) {
	var out AuditCheck
	var stray []string
	if err := s.conn(ctx).Raw(`SELECT id FROM audit_events WHERE seq IS NULL ORDER BY at, id LIMIT 1`).Scan(&stray).Error; err != nil {
		return out, err
	}
	prev, want := genesisHash, int64(1)
	for {
		rows, err := s.conn(ctx).Raw(`SELECT id, at, actor, action, entity, entity_id, detail, ref, seq, prev_hash, hash FROM audit_events
			WHERE seq >= ? ORDER BY seq LIMIT ?`, want, auditBatch).Rows()
		if err != nil {
			return out, err
		}
		var batch []models.AuditEvent
		for rows.Next() {
			var e models.AuditEvent
			var seq sql.NullInt64
			var ref sql.NullString
			if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Detail, &ref, &seq, &e.PrevHash, &e.Hash); err != nil {
				_ = rows.Close()
				return out, err
			}
			e.Seq = seq.Int64
			if ref.Valid {
				e.Ref = &ref.String
			}
			batch = append(batch, e)
		}
		if err := rows.Close(); err != nil {
			return out, err
		}
		for _, e := range batch {
			if b := auditBreak(e, want, prev); b != nil {
				out.Broken = b
				return out, nil
			}
			out.Entries, out.Head, prev, want = out.Entries+1, e.Hash, e.Hash, want+1
		}
		if len(batch) < auditBatch {
			break
		}
	}
	if len(stray) > 0 {
		out.Broken = &AuditBreak{ID: stray[0], Reason: "the entry has no place in the chain: it was written around q2c"}
		return out, nil
	}
	out.OK = true
	return out, nil
}

// auditBreak says why e, expected at seq want after an entry hashed prev,
// does not hold; nil when it does.
func auditBreak(e models.AuditEvent, want int64, prev string) *AuditBreak {
	switch {
	case e.Seq != want:
		return &AuditBreak{Seq: want, ID: e.ID, Reason: fmt.Sprintf("entry %d is missing: the chain goes from %d to %d", want, want-1, e.Seq)}
	case e.PrevHash != prev:
		return &AuditBreak{Seq: e.Seq, ID: e.ID, Reason: "the entry does not link to the one before it"}
	case auditHash(e) != e.Hash:
		return &AuditBreak{Seq: e.Seq, ID: e.ID, Reason: "the entry's content does not match its hash: it was changed after it was written"}
	}
	return nil
}

// ListAudit pages through audit events of one entity, or all when entity is "".
//
// The latest come first: an audit trail is read from now backwards.
func (s *Store) ListAudit(ctx context.Context, entity, entityID string, p Page) (List[models.AuditEvent], error) {
	q := whereEq(s.conn(ctx).Model(&models.AuditEvent{}), "entity", entity, "entity_id", entityID)
	return listNewestFirst(q, "id", p, func(e models.AuditEvent) string { return e.ID })
}

// ListLoginAudit lists the login entries for an address, under whichever
// key named it (LoginSubjects).
func (s *Store) ListLoginAudit(ctx context.Context, email string, p Page) (List[models.AuditEvent], error) {
	subjects, err := s.LoginSubjects(email)
	if err != nil {
		return List[models.AuditEvent]{}, err
	}
	q := s.conn(ctx).Model(&models.AuditEvent{}).Where("entity = ? AND entity_id IN ?", auditEntityLogin, subjects)
	return listNewestFirst(q, "id", p, func(e models.AuditEvent) string { return e.ID })
}

// auditEntityLogin is the entity of login entries.
const auditEntityLogin = "login"
