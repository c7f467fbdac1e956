package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/q2c-dev/q2c/models"
)

// IdempotencyRecord is the stored answer to a request made with an
// Idempotency-Key.
type IdempotencyRecord struct {
	Scope       string
	Key         string
	RequestHash string
	StatusCode  int
	Response    string
	Location    string // the answer's Location header, if it had one
	// OperationID is set while the request's work is still running after its
	// answer was due (it answered 202): a retry runs the request again.
	OperationID string
	CreatedAt   time.Time
	CompletedAt *time.Time
}

// TableName maps the record to its table.
func (IdempotencyRecord) TableName() string { return "idempotency_keys" }

// Idempotency claim outcomes.
var (
	// ErrIdempotencyInProgress: the first request with this key is still running.
	ErrIdempotencyInProgress = errors.New("a request with this Idempotency-Key is still in progress")
	// ErrIdempotencyMismatch: the key was used before with a different request.
	ErrIdempotencyMismatch = errors.New("this Idempotency-Key was used with a different request")
)

// ClaimIdempotencyKey claims (scope, key) for a request whose body hashes to
// hash. It returns (nil, nil) when the caller won the claim and must run the
// request; the stored record when an earlier request finished; or one of the
// errors above. A claim still open after lease belongs to a request that
// died with its process, and is taken over; so is one whose work was still
// running when it answered (202), whose retry must ask again.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, scope, key, hash string, lease time.Duration) (*IdempotencyRecord, error) {
	now := s.now()
	var rec IdempotencyRecord
	for {
		res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
			Create(&IdempotencyRecord{Scope: scope, Key: key, RequestHash: hash, CreatedAt: now})
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 1 {
			return nil, nil
		}
		err := s.conn(ctx).Where("scope = ? AND key = ?", scope, key).Take(&rec).Error
		if err == nil {
			break
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, err
		}
		// Released between the two statements (the first request failed):
		// claim it again.
	}
	switch {
	case rec.RequestHash != hash:
		return nil, ErrIdempotencyMismatch
	case rec.OperationID != "" || (rec.StatusCode == 0 && now.Sub(rec.CreatedAt) >= lease):
		// Take it over only if nobody else did since we read it.
		res := s.conn(ctx).Model(&IdempotencyRecord{}).
			Where("scope = ? AND key = ? AND created_at = ? AND status_code = ?", scope, key, rec.CreatedAt, rec.StatusCode).
			Updates(map[string]any{"created_at": now, "status_code": 0, "response": "", "location": "", "operation_id": "", "completed_at": nil})
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 1 {
			return nil, nil
		}
		return nil, ErrIdempotencyInProgress
	case rec.StatusCode == 0:
		return nil, ErrIdempotencyInProgress
	}
	return &rec, nil
}

// CompleteIdempotencyKey stores the answer (status, body and Location
// header) for later retries. An operationID marks an answer that is not
// final (202): the work goes on and the next retry runs again.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, response, location, operationID string) error {
	return s.conn(ctx).Model(&IdempotencyRecord{}).Where("scope = ? AND key = ?", scope, key).
		Updates(map[string]any{"status_code": status, "response": response, "location": location, "operation_id": operationID, "completed_at": s.now()}).Error
}

// ReleaseIdempotencyKey forgets a claim whose request failed on the server's
// side, so the client's retry runs again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	return s.conn(ctx).Where("scope = ? AND key = ?", scope, key).Delete(&IdempotencyRecord{}).Error
}

// PurgeExpired deletes idempotency answers, operations and failed-login
// counters from before cutoff (they can hold personal data), and says how
// many rows went.
func (s *Store) PurgeExpired(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := s.Tx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Where("created_at < ?", cutoff).Delete(&IdempotencyRecord{})
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		res = tx.conn(ctx).Where("created_at < ?", cutoff).Delete(&Operation{})
		if res.Error != nil {
			return res.Error
		}
		n += res.RowsAffected
		// Failed-login counters name whatever address was typed.
		res = tx.conn(ctx).Exec(`DELETE FROM login_throttle WHERE updated_at < ? AND (locked_until IS NULL OR locked_until < ?)`, cutoff, cutoff)
		if res.Error != nil {
			return res.Error
		}
		n += res.RowsAffected
		// A quote's start, once made, has done its work; one still waiting
		// stays whatever its age, for the sweep.
		res = tx.conn(ctx).Where("started_at < ?", cutoff).Delete(&models.QuoteStart{})
		n += res.RowsAffected
		return res.Error
	})
	return n, err
}

// Operation is a mutation still running when its answer was due: the
// Temporal Update that carries it, which its caller polls.
type Operation struct {
	ID         string    `json:"id"`
	Subject    string    `json:"-"`
	WorkflowID string    `json:"-"`
	UpdateID   string    `json:"-"`
	Location   string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
}

// SaveOperation records an operation; saving it again changes nothing.
func (s *Store) SaveOperation(ctx context.Context, op Operation) error {
	op.CreatedAt = s.now()
	return s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&op).Error
}

// OperationFor reads an operation of subject's; another's is not found.
func (s *Store) OperationFor(ctx context.Context, id, subject string) (Operation, error) {
	var op Operation
	err := s.conn(ctx).Where("id = ? AND subject = ?", id, subject).Take(&op).Error
	return op, mapErr(err, "operation", id)
}
